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
 *       overlap step 2. A crash may keep any subset of unsynced writes, so no write in a batch
 *       depends on another in the same batch: removals only ever name entries whose chosen
 *       blocks were synced by an earlier batch;
 *   <li>send {@link #early}: messages that state nothing resting on this batch's writes (R15),
 *       so they travel while the disk syncs;
 *   <li>make the writes durable ({@code sync}) if {@link #needsSync()} (one sync for the whole
 *       batch: group commit);
 *   <li>only then send {@link #messages};
 *   <li>then apply {@link #chosen} to the application, in slot order;
 *   <li>then complete the futures: {@link #appended} entries are durable, entries of {@link
 *       #chosen} blocks are chosen, {@link #roundsDone}/{@link #roundsFailed} tickets are settled,
 *       then the reads of {@link #readsReady} run (every slot they wait for is applied by now,
 *       R19) and those of {@link #readsFailed} fail.
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
    List<Long> readsFailed) {

  /** The batch with nothing to do. */
  public static final Ready EMPTY =
      new Ready(null, null, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
          List.of(), List.of(), List.of(), List.of(), List.of());


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

  /** {@return true if this batch writes anything to the store} */
  public boolean needsPersist() {
    return needsSync() || !removed.isEmpty();
  }

  /**
   * True if this batch's writes must be durable before its messages leave and its futures
   * complete. Removals alone need no sync: a lost removal leaves a chosen entry in the local log,
   * which the next boot drops (R9).
   *
   * @return true if the writes need a sync
   */
  public boolean needsSync() {
    return identity != null
        || promised != null
        || !accepted.isEmpty()
        || !appended.isEmpty()
        || !chosen.isEmpty();
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
