package dev.modpaxos.protocol;

import java.util.Collection;

/**
 * The decisions on which Paxos safety rests, kept in one place so that the simulator can prove
 * its checkers catch a replica that breaks them. Production code only ever uses {@link #PAXOS};
 * deliberately broken variants exist in test sources only.
 */
class Rules {
  static final Rules PAXOS = new Rules();

  /**
   * R7 (Paxos Made Simple §2.2): among the promises, the accepted value for {@code slot} with the
   * highest ballot, or null if no promise carries one. Two different values at one ballot are
   * impossible by construction (R1, R16: a ballot names one incarnation, which proposes one value
   * per slot and ballot), so seeing them is an alarm, never a tie to break.
   */
  Proposal valueToRepropose(Collection<Message.Promise> promises, long slot) {
    Proposal best = null;
    for (Message.Promise p : promises) {
      Proposal a = p.acceptedFor(slot);
      if (a == null) {
        continue;
      }
      if (best != null && a.ballot().equals(best.ballot()) && !a.block().equals(best.block())) {
        throw new IllegalStateException(
            "R7: two values accepted for slot " + slot + " at one ballot " + a.ballot() + ": "
                + best.block() + " and " + a.block() + " (a ballot was reused)");
      }
      if (best == null || a.ballot().isAbove(best.ballot())) {
        best = a;
      }
    }
    return best;
  }

  /**
   * R15: a message may leave before the batch's sync iff it states nothing that rests on this
   * batch's unsynced writes. A COMMIT or CATCHUP states that blocks are chosen, which rests on a
   * majority's durable votes, not on this node's disk; a CATCHUP_REQUEST states nothing. An ACCEPT
   * rests on the leader's promise, synced before its PREPARE left (R5), and on its own entries
   * being logged (R4): it goes early unless it carries an entry appended in this batch, whose id
   * a crash could otherwise hand out again. A PROMISE, ACCEPTED or REJECT reports the acceptor's
   * state, a PREPARE the proposer's new ballot and a FORWARD own entries: they wait. The leader's
   * own vote is unsynced when its ACCEPTs leave, but no other vote can reach it before this
   * batch's sync has returned (one batch at a time), so a decision never counts it unsynced.
   */
  boolean leavesBeforeSync(Message m, java.util.function.Predicate<EntryId> appendedInThisBatch) {
    if (m instanceof Message.Commit
        || m instanceof Message.CatchUp
        || m instanceof Message.CatchUpRequest) {
      return true;
    }
    if (m instanceof Message.Accept a) {
      for (Entry e : a.block().entries()) {
        if (appendedInThisBatch.test(e.id())) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  /**
   * R15, reserved ids: a node that restarts with an id floor may have sent own entries in early
   * ACCEPTs that its disk then lost, so it hands out no id below the floor again and takes no
   * submit until an id fence of the range is applied; the broken variant restarts below the
   * floor at once, as if nothing had been sent.
   */
  boolean fencesReservedIds() {
    return true;
  }

  /**
   * R15, reserved ids: after a crash, submits wait for the id fence, so the application never
   * checks new work against a view that misses own entries sent before the crash that may still
   * be chosen; the broken variant skips the ids (none is reused) but takes submits at once.
   */
  boolean idFenceGatesSubmits() {
    return true;
  }

  /**
   * R16: chosen blocks a store set aside above a damaged slot keep their slots and wait for the
   * gap, as early commits do; never appended as if they followed the blocks before the gap.
   */
  boolean setAsideKeepsItsSlots() {
    return true;
  }

  /**
   * R15: a chosen entry's removal from the local log waits until a completed sync covers the
   * block that chose it; chosen blocks alone do not sync, so "one batch later" is not enough.
   */
  boolean removalWaitsForSync() {
    return true;
  }

  /** R9: a commit that arrives ahead of a gap waits for the gap (slots apply in order). */
  boolean waitsForGaps() {
    return true;
  }

  /**
   * R18: admission drops an entry an earlier slot already holds, or one fenced (R17). The pure
   * decision of which entries take effect; {@code fenced} is the replica's R17 test.
   */
  boolean admits(boolean alreadyChosen, boolean fenced) {
    return !alreadyChosen && !fenced;
  }

  /**
   * R19: a linearizable read waits for the highest read index of a majority; the broken variant
   * serves it from this node's committed slot alone.
   */
  boolean readIndexNeedsQuorum() {
    return true;
  }

  /**
   * R20: a snapshot carries the index of every chosen entry id, so that admission (R18) still
   * drops an entry chosen in a compacted slot; the broken variant's snapshots forget it.
   */
  boolean snapshotCarriesIndex() {
    return true;
  }

  /** R10: an acceptor neither promises nor accepts for a slot it knows is decided. */
  /**
   * R21: how many slots after the slot that chose it a configuration governs quorums. {@code L}
   * covers every slot a proposer or acceptor may have in flight; the broken variant uses 1.
   */
  int configLag() {
    return ReplicaConfig.PIPELINE_SLOTS_LIMIT;
  }

  boolean isDecided(long slot, long committedSlot) {
    return slot <= committedSlot;
  }

  /**
   * R16: what a replica whose store reported lost state does. Production: nothing here; it starts
   * a new incarnation that awaits re-admission (R17). Test-only variants return a gate that keeps
   * the old identity and decides when to vote again, to show that the simulator catches it.
   */
  LostStateGate gateAfterLoss(Replica replica) {
    return null;
  }

  /**
   * The hook through which test code plugs an unsound answer to lost state (the pre-generation
   * R16 probe) into a replica that keeps its old identity. Never used in production.
   */
  interface LostStateGate {
    /** True once the replica may vote again. */
    boolean open();

    void onTick(long now);

    /** The replica ignored a PREPARE or ACCEPT at {@code ballot} for {@code slot}. */
    void onAbstained(Ballot ballot, long slot, int from);

    /** An answer to a PREPARE at {@link Ballot#ZERO}: a peer's promise and committed slot. */
    void onProbeAnswer(int from, Ballot promised, long committedSlot);

    void onCommitted(long committedSlot);
  }
}
