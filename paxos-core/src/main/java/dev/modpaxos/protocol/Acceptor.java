package dev.modpaxos.protocol;

import dev.modpaxos.protocol.Message.Accept;
import dev.modpaxos.protocol.Message.Accepted;
import dev.modpaxos.protocol.Message.Prepare;
import dev.modpaxos.protocol.Message.Promise;
import dev.modpaxos.protocol.Message.Reject;
import dev.modpaxos.protocol.Message.RejectReason;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** The acceptor role of one replica (R5, R6, R8, R10, R16, R18). Not thread-safe. */
final class Acceptor {
  private final Replica replica;
  private final Rules rules;
  // Invariant: promised >= every vote's ballot.
  private Ballot promised;
  // Votes by slot, one per slot (R18). Invariant: every key <= decidedSlot() + LIMIT. Votes of
  // committed slots are dropped from memory as slots commit (the store keeps VOTES_KEPT).
  private final TreeMap<Long, Proposal> accepted = new TreeMap<>();
  // R15/R18: slots this node knew decided at boot, also those whose blocks a crash lost: a vote
  // for slot k proves it had committed slot k - LIMIT (R8), even if that write was torn.
  private final long decidedAtBoot;

  Acceptor(Replica replica, Rules rules, Ballot promised, List<Proposal> votes) {
    this.replica = replica;
    this.rules = rules;
    this.promised = promised;
    long highest = 0;
    for (Proposal p : votes) {
      accepted.put(p.slot(), p);
      highest = Math.max(highest, p.slot());
    }
    this.decidedAtBoot = Math.max(0, highest - ReplicaConfig.PIPELINE_SLOTS_LIMIT);
  }

  /**
   * The highest slot this acceptor knows decided: its committed slot, or more right after a crash
   * that kept its vote for slot k but lost chosen block k - LIMIT (any-subset crashes, R15, R18).
   * It refuses to promise or accept for those slots (R10) until it has fetched them (R11).
   */
  long decidedSlot() {
    return Math.max(replica.log().committedSlot(), decidedAtBoot);
  }

  Ballot promised() {
    return promised;
  }

  /** The vote for the highest slot, or null. */
  Proposal accepted() {
    return accepted.isEmpty() ? null : accepted.lastEntry().getValue();
  }

  /**
   * R19: the highest slot this acceptor has committed, knows decided, or voted for. A slot chosen
   * with this acceptor's vote is at or below it for good: a vote is dropped only once its slot is
   * committed.
   */
  long readIndex() {
    return Math.max(decidedSlot(), accepted.isEmpty() ? 0 : accepted.lastKey());
  }

  /** Every vote held for a slot above the committed one, in slot order. */
  List<Proposal> undecidedVotes() {
    return List.copyOf(accepted.tailMap(replica.log().committedSlot(), false).values());
  }

  /** Slot {@code slot} committed: its vote, and older ones, are no longer needed in memory. */
  void onCommitted(long slot) {
    accepted.headMap(slot, true).clear();
  }

  /**
   * R17: this node was just admitted under a new generation: it is a new acceptor that has
   * promised and accepted nothing (its predecessor's votes count only for the old generation).
   */
  void startFresh() {
    promised = Ballot.ZERO;
    accepted.clear();
  }

  /** R5/R6/R10. Returns the reply (a PROMISE or REJECT), or null to stay silent (R16). */
  Message onPrepare(Prepare p) {
    if (!replica.isVoting()) {
      abstain(p.ballot(), p.slot(), p.from());
      return null;
    }
    long committed = replica.log().committedSlot();
    if (rules.isDecided(p.slot(), decidedSlot())) {
      return reject(p.from(), p.ballot(), p.slot(), RejectReason.SLOT_DECIDED);
    }
    if (p.ballot().compareTo(promised) < 0) {
      return reject(p.from(), p.ballot(), p.slot(), RejectReason.HIGHER_BALLOT);
    }
    promise(p.ballot());
    replica.proposer().onRoundSeen(p.ballot(), true); // R14: a runRound() here waits its turn
    List<Proposal> undecided = undecidedVotes(); // R7, R18: every slot the proposer may fill
    List<Entry> log = new ArrayList<>();
    Budget budget = Budget.forBlock(replica.config()); // more than a block's worth is no use
    for (Entry e : replica.proposer().pooledControlEntries()) {
      if (budget.take(e)) {
        log.add(e); // R17: pending membership changes travel to whoever wins the ballot
      }
    }
    for (Entry e : replica.log().localLog()) {
      if (!budget.take(e)) {
        break;
      }
      log.add(e);
    }
    return new Promise(
        replica.self(), p.from(), p.ballot(), committed, undecided, log, replica.generation());
  }

  /** R8/R10. Returns the reply (ACCEPTED or REJECT), or null to stay silent (R16). */
  Message onAccept(Accept a) {
    if (!replica.isVoting()) {
      abstain(a.ballot(), a.slot(), a.from());
      return null;
    }
    long committed = replica.log().committedSlot();
    if (rules.isDecided(a.slot(), decidedSlot())) {
      return reject(a.from(), a.ballot(), a.slot(), RejectReason.SLOT_DECIDED);
    }
    if (a.ballot().compareTo(promised) < 0) {
      return reject(a.from(), a.ballot(), a.slot(), RejectReason.HIGHER_BALLOT);
    }
    if (a.slot() > committed + ReplicaConfig.PIPELINE_SLOTS_LIMIT) {
      replica.requestCatchUp(a.from()); // R18: too far ahead of what this node has committed
      return reject(a.from(), a.ballot(), a.slot(), RejectReason.ACCEPTOR_BEHIND);
    }
    promise(a.ballot());
    replica.proposer().onRoundSeen(a.ballot(), true);
    Proposal vote = new Proposal(a.slot(), a.ballot(), a.block());
    accepted.put(a.slot(), vote);
    replica.out().accepted.add(vote);
    return new Accepted(replica.self(), a.from(), a.ballot(), a.slot(), replica.generation());
  }

  /** A non-voting node answers nothing and asks the sender for the blocks it lacks (R16). */
  private void abstain(Ballot ballot, long slot, int from) {
    if (replica.gate() != null) {
      replica.gate().onAbstained(ballot, slot, from);
    }
    if (slot > replica.log().committedSlot() + 1) {
      replica.requestCatchUp(from); // behind: the sender has blocks we lack
    }
  }

  /** Raises the promise to {@code ballot} if it is higher (durably, with the next batch). */
  void promise(Ballot ballot) {
    if (ballot.isAbove(promised)) {
      promised = ballot;
      replica.out().promised = ballot;
      replica.proposer().onPromisedElsewhere(ballot);
    }
  }

  private Reject reject(int to, Ballot ballot, long slot, RejectReason reason) {
    if (reason == RejectReason.HIGHER_BALLOT) {
      replica.proposer().onRefused(ballot); // R14: it wants a round too
    }
    return new Reject(
        replica.self(), to, ballot, slot, reason, promised, replica.log().committedSlot());
  }

  void checkInvariants() {
    long committed = decidedSlot();
    for (Proposal vote : accepted.values()) {
      Invariants.require(
          promised.isAtLeast(vote.ballot()),
          "promised %s below accepted ballot %s",
          promised,
          vote.ballot());
      Invariants.require(
          vote.slot() <= committed + ReplicaConfig.PIPELINE_SLOTS_LIMIT,
          "accepted slot %d beyond decided %d + %d",
          vote.slot(),
          committed,
          ReplicaConfig.PIPELINE_SLOTS_LIMIT);
    }
  }
}
