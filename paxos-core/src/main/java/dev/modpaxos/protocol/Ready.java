package dev.modpaxos.protocol;

import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.StoreIdentity;
import java.util.List;

/**
 * One batch of effects produced by a {@link Replica}. The runtime must carry it out in this order
 * (docs/PROTOCOL.md R15):
 *
 * <ol>
 *   <li>persist {@link #identity}, {@link #appended}, {@link #chosen}, remove {@link #removed}
 *       from the local log, persist {@link #promised} and {@link #accepted}; these writes may
 *       overlap step 2. A crash may keep any subset of the writes since the last completed sync,
 *       so no write depends on another that may still be unsynced: removals only ever name
 *       entries whose chosen blocks an earlier batch's sync made durable;
 *   <li>send {@link #early}: messages that state nothing resting on this batch's writes (R15),
 *       so they travel while the disk syncs;
 *   <li>apply {@link #chosen} to the application, in slot order, and complete the futures of
 *       their entries: a block is chosen because a majority's votes are durable, so neither waits
 *       for this node's own write of it (R15);
 *   <li>make the writes durable ({@code sync}) if {@link #needsSync()} (one sync for the whole
 *       batch: group commit);
 *   <li>only then send {@link #messages};
 *   <li>then complete the other futures: {@link #appended} entries are durable, {@link
 *       #roundsDone}/{@link #roundsFailed} tickets are settled, then the reads of {@link
 *       #readsReady} run (every slot they wait for is applied by now, R19) and those of {@link
 *       #readsFailed} fail.
 * </ol>
 *
 * @param identity a new store identity (a new or re-admitted generation, R16), or null
 * @param promised the new promised ballot, or null if unchanged
 * @param accepted new votes, at most one per slot, in the order cast (R8, R18)
 * @param appended entries appended to the local log by {@code submit}
 * @param chosen newly chosen blocks, in slot order without gaps
 * @param removed local-log entries whose chosen blocks are already durable (an earlier batch)
 * @param early messages that may leave before the sync (R15)
 * @param messages messages that leave only after the sync
 * @param events proposer events, for metrics
 * @param roundsDone {@code runRound()} tickets whose round finished
 * @param roundsFailed {@code runRound()} tickets that gave up without a majority
 * @param readsReady {@code read()} tickets that may now run on the application (R19)
 * @param readsFailed {@code read()} tickets that could not be served in time (R19)
 * @param flush sync even if nothing else of this batch needs it: chosen blocks written by
 *     earlier batches that did not sync are waiting for one (R15)
 * @param idFloor the new id floor ({@link Store#saveIdFloor}, R15), or null if unchanged
 */
public record Ready(
    StoreIdentity identity,
    Ballot promised,
    List<Proposal> accepted,
    List<Entry> appended,
    List<SlotBlock> chosen,
    List<EntryId> removed,
    List<Message> early,
    List<Message> messages,
    List<RoundEvent> events,
    List<Long> roundsDone,
    List<Long> roundsFailed,
    List<Long> readsReady,
    List<Long> readsFailed,
    boolean flush,
    dev.modpaxos.spi.IdFloor idFloor) {

  /** The batch with nothing to do. */
  public static final Ready EMPTY =
      new Ready(null, null, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
          List.of(), List.of(), List.of(), List.of(), List.of(), false, null);

  /**
   * A batch that leaves the id floor as it is.
   *
   * @param identity see {@link #identity()}
   * @param promised see {@link #promised()}
   * @param accepted see {@link #accepted()}
   * @param appended see {@link #appended()}
   * @param chosen see {@link #chosen()}
   * @param removed see {@link #removed()}
   * @param early see {@link #early()}
   * @param messages see {@link #messages()}
   * @param events see {@link #events()}
   * @param roundsDone see {@link #roundsDone()}
   * @param roundsFailed see {@link #roundsFailed()}
   * @param readsReady see {@link #readsReady()}
   * @param readsFailed see {@link #readsFailed()}
   * @param flush see {@link #flush()}
   */
  public Ready(StoreIdentity identity, Ballot promised, List<Proposal> accepted,
      List<Entry> appended, List<SlotBlock> chosen, List<EntryId> removed, List<Message> early,
      List<Message> messages, List<RoundEvent> events, List<Long> roundsDone,
      List<Long> roundsFailed, List<Long> readsReady, List<Long> readsFailed, boolean flush) {
    this(identity, promised, accepted, appended, chosen, removed, early, messages, events,
        roundsDone, roundsFailed, readsReady, readsFailed, flush, null);
  }


  /**
   * Step 1 without the sync: hands this batch's writes to {@code store}. The caller then calls
   * {@code store.sync()} if {@link #needsSync()}, before it sends anything.
   *
   * @param store the node's store
   */
  public void writeTo(Store store) {
    if (identity != null) {
      store.saveIdentity(identity);
    }
    if (idFloor != null) {
      store.saveIdFloor(idFloor);
    }
    for (Entry e : appended) {
      store.appendLocal(e);
    }
    for (SlotBlock sb : chosen) {
      store.saveChosen(sb);
    }
    if (!removed.isEmpty()) {
      store.removeLocal(removed);
    }
    if (promised != null) {
      store.savePromised(promised);
    }
    for (Proposal p : accepted) {
      store.saveAccepted(p);
    }
  }

  /** {@return every message of this batch: {@link #early} first, then {@link #messages}} */
  public List<Message> allMessages() {
    if (early.isEmpty()) {
      return messages;
    }
    List<Message> all = new java.util.ArrayList<>(early);
    all.addAll(messages);
    return all;
  }

  /**
   * How many of {@link #chosen}, from the first, may be applied and completed before this batch's
   * sync (R15): every block up to the first whose slot this batch also votes for. A block is
   * chosen because a majority's votes are durable; only this node's own vote, counted as it is
   * cast (a leader of a one-voter membership, R21), may be unsynced here, so the block it decided
   * and every later one (slots apply in order) wait for the sync.
   *
   * @return the number of leading chosen blocks that need no sync
   */
  public int chosenBeforeSync() {
    if (accepted.isEmpty()) {
      return chosen.size();
    }
    for (int i = 0; i < chosen.size(); i++) {
      long slot = chosen.get(i).slot();
      for (Proposal vote : accepted) {
        if (vote.slot() == slot) {
          return i;
        }
      }
    }
    return chosen.size();
  }

  /** {@return true if this batch writes anything to the store} */
  public boolean needsPersist() {
    return needsSync() || !removed.isEmpty() || !chosen.isEmpty();
  }

  /**
   * True if this batch's writes must be durable before its messages leave and its remaining
   * futures complete. Removals need no sync: a lost removal leaves a chosen entry in the local
   * log, which the next boot drops (R9). Chosen blocks need none either: they are chosen because
   * a majority's votes are durable, and a crash that loses this node's copy only means it
   * fetches them again (R11); they become durable with the next sync, which a later batch's
   * vote, promise or append brings, or a {@link #flush} once they have waited a round timeout
   * (R15).
   *
   * @return true if the writes need a sync
   */
  public boolean needsSync() {
    return identity != null
        || promised != null
        || !accepted.isEmpty()
        || !appended.isEmpty()
        || flush
        || idFloor != null;
  }

  /** {@return true if this batch has nothing to persist, send, apply or report} */
  public boolean isEmpty() {
    return !needsPersist()
        && early.isEmpty()
        && messages.isEmpty()
        && events.isEmpty()
        && roundsDone.isEmpty()
        && roundsFailed.isEmpty()
        && readsReady.isEmpty()
        && readsFailed.isEmpty();
  }
}
