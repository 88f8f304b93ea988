package dev.modpaxos.protocol;

import java.util.ArrayList;
import java.util.List;

/** Accumulates the effects of inputs until {@link Replica#ready()} drains them. Not thread-safe. */
final class Effects {
  dev.modpaxos.spi.StoreIdentity identity;
  Ballot promised;
  List<Proposal> accepted = new ArrayList<>();
  List<Entry> appended = new ArrayList<>();
  List<SlotBlock> chosen = new ArrayList<>();
  List<EntryId> removed = new ArrayList<>();
  List<Message> messages = new ArrayList<>();
  List<RoundEvent> events = new ArrayList<>();
  List<Long> roundsDone = new ArrayList<>();
  List<Long> roundsFailed = new ArrayList<>();
  List<Long> readsReady = new ArrayList<>();
  List<Long> readsFailed = new ArrayList<>();
  // R15: sync this batch although nothing else of it needs a sync (chosen blocks wait for one).
  boolean flush;
  // R15: the id floor to write with this batch, or null.
  dev.modpaxos.spi.IdFloor idFloor;
  // R15: own entries appended in this batch with a seq below this may leave in an early ACCEPT:
  // an earlier batch's synced id floor covers them. 0: none may.
  long idsReservedUntil;

  /** {@return true if the batch being built will sync ({@link Ready#needsSync()})} */
  boolean willSync() {
    return identity != null || promised != null || !accepted.isEmpty() || !appended.isEmpty()
        || flush || idFloor != null;
  }

  Ready drain(Rules rules) {
    if (identity == null
        && promised == null
        && accepted.isEmpty()
        && appended.isEmpty()
        && chosen.isEmpty()
        && removed.isEmpty()
        && messages.isEmpty()
        && events.isEmpty()
        && roundsDone.isEmpty()
        && roundsFailed.isEmpty()
        && readsReady.isEmpty()
        && readsFailed.isEmpty()
        && !flush
        && idFloor == null) {
      return Ready.EMPTY;
    }
    // R15: what may leave before this batch's writes are durable (docs/PROTOCOL.md).
    List<Message> early = new ArrayList<>();
    List<Message> late = new ArrayList<>();
    for (Message m : messages) {
      (identity == null && rules.leavesBeforeSync(m, this::appendedInThisBatch) ? early : late)
          .add(m);
    }
    Ready r =
        new Ready(
            identity,
            promised,
            take(accepted),
            take(appended),
            take(chosen),
            take(removed),
            early,
            late,
            take(events),
            take(roundsDone),
            take(roundsFailed),
            take(readsReady),
            take(readsFailed),
            flush,
            idFloor);
    identity = null;
    flush = false;
    idFloor = null;
    promised = null;
    accepted = fresh(accepted);
    appended = fresh(appended);
    appendedSeqMin = -1;
    chosen = fresh(chosen);
    removed = fresh(removed);
    messages.clear();
    events = fresh(events);
    roundsDone = fresh(roundsDone);
    roundsFailed = fresh(roundsFailed);
    readsReady = fresh(readsReady);
    readsFailed = fresh(readsFailed);
    return r;
  }


  // A drained list goes to the Ready as it is, without copying its elements (a batch under load
  // holds thousands of entries and removals); the batch being built gets a new one.
  private static <T> List<T> take(List<T> list) {
    return list.isEmpty() ? List.of() : java.util.Collections.unmodifiableList(list);
  }

  private static <T> List<T> fresh(List<T> drained) {
    return drained.isEmpty() ? drained : new ArrayList<>();
  }

  // The lowest seq appended in this batch, or Long.MAX_VALUE; computed once per drain.
  private long appendedSeqMin = -1;

  /**
   * True if {@code id} may have been appended in this batch and must not leave before its sync:
   * an own entry at or above the lowest seq appended in it, unless a synced id floor covers it
   * (R15). It over-approximates (an ACCEPT then waits for the sync, which is always
   * safe) and costs no set: appended entries are this node's own.
   */
  private boolean appendedInThisBatch(EntryId id) {
    if (appended.isEmpty()) {
      return false;
    }
    int self = appended.get(0).origin();
    if (id.origin() == self && id.seq() < idsReservedUntil) {
      return false; // a synced id floor covers it
    }
    return id.origin() == self && id.seq() >= appendedSeqMin();
  }

  /** {@return the lowest seq appended in this batch, or Long.MAX_VALUE if none} */
  long appendedSeqMin() {
    if (appendedSeqMin < 0) {
      appendedSeqMin = Long.MAX_VALUE;
      for (Entry e : appended) {
        appendedSeqMin = Math.min(appendedSeqMin, e.seq());
      }
    }
    return appendedSeqMin;
  }
}
