package dev.modpaxos.protocol;

import dev.modpaxos.protocol.Message.Accept;
import dev.modpaxos.protocol.Message.Accepted;
import dev.modpaxos.protocol.Message.Prepare;
import dev.modpaxos.protocol.Message.Promise;
import dev.modpaxos.protocol.Message.Reject;
import dev.modpaxos.protocol.Message.RejectReason;
import java.util.List;

/** The acceptor role of one replica (R5, R6, R8, R10, R16). Not thread-safe. */
final class Acceptor {
  private final Replica replica;
  private final Rules rules;
  // Invariant: promised >= accepted.ballot() when accepted != null.
  private Ballot promised;
  // Invariant: accepted == null || accepted.slot() <= committedSlot + 1.
  private Proposal accepted;
  // False after a recovery that lost acceptor state, until caught up (R16).
  private boolean voting;
  // While not voting: the highest slot seen in a PREPARE, ACCEPT or commit since boot.
  private long resumeAtSlot;
  private final long bootCommittedSlot;
  // The highest ballot seen in any message while not voting; adopted when voting resumes.
  private Ballot highestSeen = Ballot.ZERO;

  Acceptor(Replica replica, Rules rules, Ballot promised, Proposal accepted, boolean stateLost) {
    this.replica = replica;
    this.rules = rules;
    this.promised = promised;
    this.accepted = accepted;
    this.voting = !stateLost;
    this.bootCommittedSlot = replica.log().committedSlot();
    this.resumeAtSlot = bootCommittedSlot + 1;
  }

  Ballot promised() {
    return promised;
  }

  Proposal accepted() {
    return accepted;
  }

  boolean isVoting() {
    return voting;
  }

  /** R5/R6/R10. Returns the reply (a PROMISE or REJECT), or null to stay silent (R16). */
  Message onPrepare(Prepare p) {
    if (!voting) {
      abstain(p.ballot(), p.slot(), p.from());
      return null;
    }
    long committed = replica.log().committedSlot();
    if (rules.isDecided(p.slot(), committed)) {
      return reject(p.from(), p.ballot(), p.slot(), RejectReason.SLOT_DECIDED);
    }
    if (p.ballot().compareTo(promised) < 0) {
      return reject(p.from(), p.ballot(), p.slot(), RejectReason.HIGHER_BALLOT);
    }
    promise(p.ballot());
    Proposal undecided = accepted != null && accepted.slot() > committed ? accepted : null;
    List<Entry> log = List.copyOf(replica.log().localLog());
    return new Promise(replica.self(), p.from(), p.ballot(), committed, undecided, log);
  }

  /** R8/R10. Returns the reply (ACCEPTED or REJECT), or null to stay silent (R16). */
  Message onAccept(Accept a) {
    if (!voting) {
      abstain(a.ballot(), a.slot(), a.from());
      return null;
    }
    long committed = replica.log().committedSlot();
    if (rules.isDecided(a.slot(), committed)) {
      return reject(a.from(), a.ballot(), a.slot(), RejectReason.SLOT_DECIDED);
    }
    if (a.ballot().compareTo(promised) < 0) {
      return reject(a.from(), a.ballot(), a.slot(), RejectReason.HIGHER_BALLOT);
    }
    if (a.slot() > committed + 1) {
      replica.requestCatchUp(a.from());
      return reject(a.from(), a.ballot(), a.slot(), RejectReason.ACCEPTOR_BEHIND);
    }
    promise(a.ballot());
    accepted = new Proposal(a.slot(), a.ballot(), a.block());
    replica.out().accepted = accepted;
    return new Accepted(replica.self(), a.from(), a.ballot(), a.slot());
  }

  /** Called after the learner committed up to {@code committedSlot}. */
  void onCommitted(long committedSlot) {
    if (!voting) {
      if (committedSlot >= resumeAtSlot) {
        voting = true;
        if (highestSeen.isAbove(promised)) {
          promise(highestSeen);
        }
      }
    }
  }

  private void abstain(Ballot ballot, long slot, int from) {
    if (ballot.isAbove(highestSeen)) {
      highestSeen = ballot;
    }
    if (slot > resumeAtSlot) {
      resumeAtSlot = slot;
    }
    replica.requestCatchUp(from);
  }

  private void promise(Ballot ballot) {
    if (ballot.isAbove(promised)) {
      promised = ballot;
      replica.out().promised = ballot;
      replica.proposer().onPromisedElsewhere(ballot);
    }
  }

  private Reject reject(int to, Ballot ballot, long slot, RejectReason reason) {
    return new Reject(
        replica.self(), to, ballot, slot, reason, promised, replica.log().committedSlot());
  }

  void checkInvariants() {
    long committed = replica.log().committedSlot();
    if (accepted != null) {
      Invariants.require(
          promised.isAtLeast(accepted.ballot()),
          "promised %s below accepted ballot %s",
          promised,
          accepted.ballot());
      Invariants.require(
          accepted.slot() <= committed + 1,
          "accepted slot %d beyond committed %d + 1",
          accepted.slot(),
          committed);
    }
  }
}
