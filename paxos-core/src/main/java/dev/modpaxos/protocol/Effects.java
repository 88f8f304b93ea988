package dev.modpaxos.protocol;

import java.util.ArrayList;
import java.util.List;

/** Accumulates the effects of inputs until {@link Replica#ready()} drains them. Not thread-safe. */
final class Effects {
  dev.modpaxos.spi.StoreIdentity identity;
  Ballot promised;
  final List<Proposal> accepted = new ArrayList<>();
  final List<Entry> appended = new ArrayList<>();
  final List<SlotBlock> chosen = new ArrayList<>();
  final List<EntryId> removed = new ArrayList<>();
  final List<Message> messages = new ArrayList<>();
  final List<RoundEvent> events = new ArrayList<>();
  final List<Long> roundsDone = new ArrayList<>();
  final List<Long> roundsFailed = new ArrayList<>();

  Ready drain() {
    if (identity == null
        && promised == null
        && accepted.isEmpty()
        && appended.isEmpty()
        && chosen.isEmpty()
        && removed.isEmpty()
        && messages.isEmpty()
        && events.isEmpty()
        && roundsDone.isEmpty()
        && roundsFailed.isEmpty()) {
      return Ready.EMPTY;
    }
    // R15: what may leave before this batch's writes are durable (docs/PROTOCOL.md).
    List<Message> early = new ArrayList<>();
    List<Message> late = new ArrayList<>();
    for (Message m : messages) {
      (identity == null && mayLeaveBeforeSync(m) ? early : late).add(m);
    }
    Ready r =
        new Ready(
            identity,
            promised,
            List.copyOf(accepted),
            List.copyOf(appended),
            List.copyOf(chosen),
            List.copyOf(removed),
            early,
            late,
            List.copyOf(events),
            List.copyOf(roundsDone),
            List.copyOf(roundsFailed));
    identity = null;
    promised = null;
    accepted.clear();
    appended.clear();
    appendedIdsCache = null;
    chosen.clear();
    removed.clear();
    messages.clear();
    events.clear();
    roundsDone.clear();
    roundsFailed.clear();
    return r;
  }

  /**
   * R15: a message may leave before the batch's sync iff it states nothing that rests on this
   * batch's unsynced writes. A COMMIT or CATCHUP states that blocks are chosen, which rests on a
   * majority's durable votes, not on this node's disk; a CATCHUP_REQUEST states nothing. An ACCEPT
   * rests on the leader's promise, synced before its PREPARE left (R5), and on its own entries
   * being logged (R4): it goes early unless it carries an own entry appended in this batch, whose
   * id a crash could otherwise hand out again. A PROMISE, ACCEPTED or REJECT reports the
   * acceptor's state, a PREPARE the proposer's new ballot and a FORWARD own entries: they wait.
   * The leader's own vote is unsynced when its ACCEPTs leave, but no other vote can reach it
   * before this batch's sync has returned (one batch at a time), so a decision never counts it
   * before it is durable.
   */
  private boolean mayLeaveBeforeSync(Message m) {
    if (m instanceof Message.Commit
        || m instanceof Message.CatchUp
        || m instanceof Message.CatchUpRequest) {
      return true;
    }
    if (m instanceof Message.Accept a) {
      if (appended.isEmpty()) {
        return true;
      }
      for (Entry e : a.block().entries()) {
        if (appendedIds().contains(e.id())) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  private java.util.Set<EntryId> appendedIdsCache;

  private java.util.Set<EntryId> appendedIds() {
    if (appendedIdsCache == null) {
      appendedIdsCache = new java.util.HashSet<>();
      for (Entry e : appended) {
        appendedIdsCache.add(e.id());
      }
    }
    return appendedIdsCache;
  }
}
