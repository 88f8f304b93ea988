package dev.modpaxos.protocol;

import dev.modpaxos.protocol.Message.Accept;
import dev.modpaxos.protocol.Message.Accepted;
import dev.modpaxos.protocol.Message.Prepare;
import dev.modpaxos.protocol.Message.Promise;
import dev.modpaxos.protocol.Message.Reject;
import dev.modpaxos.protocol.Message.RejectReason;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
  // While not voting: vote again once committedSlot >= resumeAtSlot and the probe is done.
  private long resumeAtSlot;
  // The highest ballot seen while not voting (including the probe); adopted when voting resumes.
  private Ballot highestSeen = Ballot.ZERO;
  // R16 probe: the committed slot each other member reported in answer to PREPARE(ZERO).
  private final Map<Integer, Long> probeAnswers = new HashMap<>();
  private boolean probeDone;
  private long lastProbeTick = Long.MIN_VALUE / 2;

  Acceptor(Replica replica, Rules rules, Ballot promised, Proposal accepted, boolean stateLost) {
    this.replica = replica;
    this.rules = rules;
    this.promised = promised;
    this.accepted = accepted;
    this.voting = !stateLost;
    this.probeDone = !stateLost;
    this.resumeAtSlot = replica.log().committedSlot() + 1;
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
    List<Entry> log = new ArrayList<>();
    Budget budget = Budget.forBlock(replica.config()); // more than a block's worth is no use
    for (Entry e : replica.log().localLog()) {
      if (!budget.take(e)) {
        break;
      }
      log.add(e);
    }
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
    maybeResume();
  }

  /** R16: while not voting, (re)sends the recovery probe every round timeout. */
  void onTick(long now) {
    if (!probeDone && now - lastProbeTick >= replica.config().roundTimeoutTicks()) {
      lastProbeTick = now;
      long committed = replica.log().committedSlot();
      replica.broadcastOthers(to -> new Prepare(replica.self(), to, Ballot.ZERO, committed));
      probeDone = probeAnswersNeeded() == 0;
    }
  }

  /**
   * R16: an answer to the probe (a PROMISE or REJECT for {@link Ballot#ZERO}). Once a majority of
   * the membership other than this node answered, their highest promise bounds any promise this
   * node may have forgotten, and the slot after their highest committed one bounds any slot it
   * may have voted in.
   */
  void onProbeAnswer(int from, Ballot theirPromise, long theirCommitted) {
    if (probeDone || from == replica.self()) {
      return;
    }
    probeAnswers.put(from, theirCommitted);
    observeWhileAbstaining(theirPromise, theirCommitted + 1);
    if (probeAnswers.size() >= probeAnswersNeeded()) {
      probeDone = true;
      maybeResume();
    }
  }

  private int probeAnswersNeeded() {
    return Math.min(replica.config().majority(), replica.config().members().size() - 1);
  }

  private void maybeResume() {
    if (!voting && probeDone && replica.log().committedSlot() >= resumeAtSlot) {
      voting = true;
      if (highestSeen.isAbove(promised)) {
        promised = highestSeen;
      }
      replica.out().promised = promised; // written even if unchanged: clears the store's flag
      replica.proposer().onPromisedElsewhere(promised);
    }
  }

  private void abstain(Ballot ballot, long slot, int from) {
    observeWhileAbstaining(ballot, slot);
    replica.requestCatchUp(from);
  }

  private void observeWhileAbstaining(Ballot ballot, long slot) {
    if (ballot.isAbove(highestSeen)) {
      highestSeen = ballot;
    }
    if (slot > resumeAtSlot) {
      resumeAtSlot = slot;
    }
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
