package dev.modpaxos.protocol;

/** Something that happened to this node's proposer; reported in {@link Ready} for metrics. */
public record RoundEvent(Kind kind, Ballot ballot, long slot) {
  /** What happened. */
  public enum Kind {
    /** A PREPARE phase started. */
    PREPARE_STARTED,
    /** A majority promised: this node is the stable leader at {@code ballot}. */
    PREPARE_WON,
    /** An ACCEPT phase started (after a won PREPARE, or directly on the fast path). */
    ACCEPT_STARTED,
    /** This node's proposal was chosen for {@code slot}. */
    COMMITTED,
    /** A phase was rejected, timed out or overtaken; the node backs off and retries. */
    LOST
  }
}
