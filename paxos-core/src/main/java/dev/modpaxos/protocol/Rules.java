package dev.modpaxos.protocol;

import java.util.Collection;

/**
 * The two decisions on which Paxos safety rests, kept in one place so that the simulator can prove
 * its checkers catch a replica that breaks them. Production code only ever uses {@link #PAXOS};
 * deliberately broken variants exist in test sources only.
 */
class Rules {
  static final Rules PAXOS = new Rules();

  /**
   * R7 (Paxos Made Simple §2.2): among the promises, the accepted value for {@code slot} with the
   * highest ballot, or null if no promise carries one.
   */
  Proposal valueToRepropose(Collection<Message.Promise> promises, long slot) {
    Proposal best = null;
    for (Message.Promise p : promises) {
      Proposal a = p.accepted();
      if (a != null && a.slot() == slot && (best == null || a.ballot().isAbove(best.ballot()))) {
        best = a;
      }
    }
    return best;
  }

  /** R10: an acceptor neither promises nor accepts for a slot it knows is decided. */
  boolean isDecided(long slot, long committedSlot) {
    return slot <= committedSlot;
  }
}
