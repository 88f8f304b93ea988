package dev.modpaxos.protocol;

import dev.modpaxos.spi.Store;
import java.util.List;

/**
 * One batch of effects produced by a {@link Replica}. The runtime must carry it out in this order
 * (docs/PROTOCOL.md R15):
 *
 * <ol>
 *   <li>persist {@link #appended}, {@link #chosen}, remove {@link #removed} from the local log,
 *       persist {@link #promised}, then {@link #accepted}, in exactly this order, and make all of
 *       it durable ({@code sync}). A crash may keep any prefix of unsynced writes, so each write
 *       may depend only on earlier ones: an accepted block may hold entries appended, and be for
 *       the slot after a block chosen, in the same batch;
 *   <li>only then send {@link #messages};
 *   <li>then apply {@link #chosen} to the application, in slot order;
 *   <li>then complete the futures: {@link #appended} entries are durable, entries of {@link
 *       #chosen} blocks are chosen, {@link #roundsDone}/{@link #roundsFailed} tickets are settled.
 * </ol>
 *
 * @param promised the new promised ballot, or null if unchanged
 * @param accepted the new accepted value, or null if unchanged
 * @param appended entries appended to the local log by {@code submit}
 * @param chosen newly chosen blocks, in slot order without gaps
 * @param removed local-log entries that the chosen blocks include
 * @param messages messages to send
 * @param events proposer events, for metrics
 * @param roundsDone {@code runRound()} tickets whose round finished
 * @param roundsFailed {@code runRound()} tickets that gave up without a majority
 */
public record Ready(
    Ballot promised,
    Proposal accepted,
    List<Entry> appended,
    List<SlotBlock> chosen,
    List<EntryId> removed,
    List<Message> messages,
    List<RoundEvent> events,
    List<Long> roundsDone,
    List<Long> roundsFailed) {

  public static final Ready EMPTY =
      new Ready(null, null, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
          List.of());

  /**
   * Step 1 without the sync: hands this batch's writes to {@code store} in the one order that is
   * safe when a crash keeps only a prefix of unsynced writes (R15): appended entries, chosen
   * blocks, local-log removals, the promised ballot, the accepted value. The caller then calls
   * {@code store.sync()} (if {@link #needsPersist()}) before it sends anything.
   */
  public void writeTo(Store store) {
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
    if (accepted != null) {
      store.saveAccepted(accepted);
    }
  }

  public boolean needsPersist() {
    return promised != null
        || accepted != null
        || !appended.isEmpty()
        || !chosen.isEmpty()
        || !removed.isEmpty();
  }

  public boolean isEmpty() {
    return !needsPersist()
        && messages.isEmpty()
        && events.isEmpty()
        && roundsDone.isEmpty()
        && roundsFailed.isEmpty();
  }
}
