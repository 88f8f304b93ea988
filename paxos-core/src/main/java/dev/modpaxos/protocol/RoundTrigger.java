package dev.modpaxos.protocol;

/** When a node starts rounds (docs/PROTOCOL.md R14). */
public enum RoundTrigger {
  /**
   * Only when asked, by {@code runRound()}. Every such round runs the full PREPARE phase, so it
   * collects the local logs of every node that answers (the bank uses this).
   */
  ON_DEMAND,
  /**
   * While entries are pending: the stable leader batches whatever has arrived into the next slot
   * with ACCEPT only, and other nodes forward their local logs to it (classic Multi-Paxos).
   */
  AUTO
}
