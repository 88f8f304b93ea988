package dev.modpaxos.protocol;

import dev.modpaxos.protocol.Message.Prepare;
import java.util.HashMap;
import java.util.Map;

/**
 * The answer to lost state that modpaxos used before generations (the old R16), kept in test
 * code only so that the simulator can show it is unsound. A node whose store reported a loss
 * keeps its identity, abstains, probes the others with {@code PREPARE(Ballot.ZERO)}, and votes
 * again once a majority of the others answered and it committed past the highest committed slot
 * they reported and past every slot it was asked to vote on. No probe can see a promise that
 * only the forgetting node held, and its entry ids come only from what survived on its disk.
 */
final class ProbeGate implements Rules.LostStateGate {
  private final Replica replica;
  private boolean voting;
  private long resumeAtSlot = -1;
  private Ballot highestSeen = Ballot.ZERO;
  private final Map<Integer, Long> probeAnswers = new HashMap<>();
  private boolean probeDone;
  private long lastProbeTick = Long.MIN_VALUE / 2;

  ProbeGate(Replica replica) {
    this.replica = replica; // not yet built: touch nothing here
  }

  @Override
  public boolean open() {
    return voting;
  }

  private long resumeAt() {
    if (resumeAtSlot < 0) {
      resumeAtSlot = replica.committedSlot() + 1;
    }
    return resumeAtSlot;
  }

  @Override
  public void onTick(long now) {
    if (!probeDone && now - lastProbeTick >= replica.config().roundTimeoutTicks()) {
      lastProbeTick = now;
      long committed = replica.committedSlot();
      replica.broadcastOthers(to -> new Prepare(replica.self(), to, Ballot.ZERO, committed));
      probeDone = needed() == 0;
    }
  }

  @Override
  public void onAbstained(Ballot ballot, long slot, int from) {
    observe(ballot, slot);
  }

  @Override
  public void onProbeAnswer(int from, Ballot promised, long committedSlot) {
    if (probeDone || from == replica.self()) {
      return;
    }
    probeAnswers.put(from, committedSlot);
    observe(promised, committedSlot + 1);
    if (probeAnswers.size() >= needed()) {
      probeDone = true;
      maybeResume();
    }
  }

  @Override
  public void onCommitted(long committedSlot) {
    maybeResume();
  }

  private int needed() {
    int members = replica.membership().members().size();
    return Math.min(replica.membership().majority(), members - 1);
  }

  private void observe(Ballot ballot, long slot) {
    if (ballot.isAbove(highestSeen)) {
      highestSeen = ballot;
    }
    if (slot > resumeAt()) {
      resumeAtSlot = slot;
    }
  }

  private void maybeResume() {
    if (!voting && probeDone && replica.committedSlot() >= resumeAt()) {
      voting = true;
      replica.acceptor().promise(highestSeen);
      replica.out().promised = replica.promised();
      replica.out().identity = replica.identity(); // clears the store's report of the loss
    }
  }
}
