package dev.modpaxos.runtime;

import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.Ready;
import dev.modpaxos.protocol.RoundEvent;
import dev.modpaxos.protocol.SlotBlock;
import dev.modpaxos.spi.Application;
import dev.modpaxos.spi.ResultApplication;
import dev.modpaxos.spi.Store;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Carries out a {@link dev.modpaxos.protocol.Replica}'s {@link Ready} batches in the order of
 * docs/PROTOCOL.md R15. It is the one copy of that order: {@link PaxosNode}, the simulator, the
 * scenario harness and the benchmarks all use it. <b>Not thread-safe</b>: one per node, called
 * from the thread that drives the replica.
 *
 * <ol>
 *   <li>{@link Ready#writeTo} the store;
 *   <li>send the {@link Ready#early} messages, which rest on nothing this batch wrote (R15), so
 *       that they travel while the disk syncs;
 *   <li>apply the chosen blocks to the {@link Application} in slot order, without their control
 *       entries ({@link Block#withoutControl()}), and tell the {@link Listener} they are chosen:
 *       a block is chosen because a majority's votes are durable, not because of this node's
 *       disk, so neither waits for the sync (R15); except from the first block decided by this
 *       batch's own unsynced vote on ({@link Ready#chosenBeforeSync()}), applied in step 6;
 *   <li>{@link Store#sync()} iff {@link Ready#needsSync()}: one sync for every write of the batch
 *       (group commit);
 *   <li>send the other messages, in order;
 *   <li>apply the chosen blocks that waited for the sync, then tell the {@link Listener} the rest:
 *       entries durable, round events, rounds settled, reads ready or failed (R19).
 * </ol>
 *
 * <p>A {@link Hook} may watch the steps and stop a batch part-way, as a crash would; production
 * passes {@link Hook#NONE}. An exception from the store, the sender or the application propagates
 * and the rest of the batch is not carried out; an application failure is reported as {@link
 * NodeStoppedException} naming the slot.
 */
public final class ReadyExecutor {
  private final Store store;
  private final Consumer<Message> sender;
  private final Application application;
  private final Listener listener;
  private final Hook hook;

  /**
   * @param store where step 1 writes and step 3 syncs
   * @param sender steps 2 and 4: hands one message to the transport; must not block
   * @param application step 5
   * @param listener step 6
   * @param hook watches the steps; {@link Hook#NONE} outside the simulator
   */
  public ReadyExecutor(
      Store store, Consumer<Message> sender, Application application, Listener listener,
      Hook hook) {
    this.store = Objects.requireNonNull(store, "store");
    this.sender = Objects.requireNonNull(sender, "sender");
    this.application = Objects.requireNonNull(application, "application");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.hook = Objects.requireNonNull(hook, "hook");
  }

  /**
   * Carries out {@code ready} (steps 1 to 6). Returns true if it was carried out whole, false if
   * the hook stopped it part-way; the caller must then treat the node as crashed: feed the
   * replica nothing more and touch neither the store nor the transport.
   *
   * @param ready the batch
   * @return true if the whole batch was carried out; false if the hook stopped it part-way
   */
  public boolean execute(Ready ready) {
    if (ready.isEmpty()) {
      return true;
    }
    ready.writeTo(store);
    List<Message> early = ready.early();
    int sentEarly = Math.max(0, Math.min(early.size(), hook.earlyMessagesToSend(ready)));
    for (int i = 0; i < sentEarly; i++) {
      sender.accept(early.get(i));
    }
    if (sentEarly < early.size() || !hook.beforeApply(ready)) {
      return false;
    }
    listener.carriedOut(ready);
    List<SlotBlock> chosen = ready.chosen();
    int beforeSync = ready.chosenBeforeSync();
    for (int i = 0; i < beforeSync; i++) {
      listener.chosen(chosen.get(i), apply(chosen.get(i)));
    }
    if (!hook.beforeSync(ready)) {
      return false;
    }
    if (ready.needsSync()) {
      store.sync();
    }
    List<Message> messages = ready.messages();
    int sendable = Math.max(0, Math.min(messages.size(), hook.messagesToSend(ready)));
    for (int i = 0; i < sendable; i++) {
      sender.accept(messages.get(i));
    }
    if (sendable < messages.size() || !hook.beforeComplete(ready)) {
      return false;
    }
    for (int i = beforeSync; i < chosen.size(); i++) {
      listener.chosen(chosen.get(i), apply(chosen.get(i)));
    }
    complete(ready);
    return true;
  }

  /**
   * Step 3 for one block: applies {@code chosen} without its control entries and tells the hook.
   * Also how a node replays its durable chosen blocks at start-up. Throws {@link
   * NodeStoppedException} naming the slot if the application throws or returns a wrong number
   * of results.
   *
   * @param chosen the block and its slot
   * @return the entries' results: one per entry of the block the application saw, or none
   */
  public List<?> apply(SlotBlock chosen) {
    List<?> results;
    Block block = chosen.block().withoutControl();
    try {
      if (application instanceof ResultApplication r) {
        results = r.applyWithResults(chosen.slot(), block);
      } else {
        application.apply(chosen.slot(), block);
        results = List.of();
      }
    } catch (RuntimeException e) {
      throw new NodeStoppedException(
          "the application failed on slot " + chosen.slot() + ": " + e, e);
    }
    if (results == null || (!results.isEmpty() && results.size() != block.entries().size())) {
      throw new NodeStoppedException(
          "the application returned " + (results == null ? "null" : results.size() + " results")
              + " for the " + block.entries().size() + " entries of slot " + chosen.slot()
              + " (one per entry, or an empty list, is required)");
    }
    hook.applied(chosen);
    return results;
  }

  private void complete(Ready ready) {
    for (Entry e : ready.appended()) {
      listener.durable(e);
    }
    for (RoundEvent ev : ready.events()) {
      listener.roundEvent(ev);
    }
    for (long t : ready.roundsDone()) {
      listener.roundDone(t);
    }
    for (long t : ready.roundsFailed()) {
      listener.roundFailed(t);
    }
    for (long t : ready.readsReady()) {
      listener.readReady(t);
    }
    for (long t : ready.readsFailed()) {
      listener.readFailed(t);
    }
  }

  /**
   * Steps 3 and 6: what a carried-out batch settles. {@link #carriedOut} and {@link #chosen}
   * come in step 3, before the batch's sync; the others in step 6, after it. Every method has a
   * no-op default.
   */
  public interface Listener {
    /** A listener that ignores everything. */
    Listener NONE = new Listener() {};

    /**
     * Steps 1 and 2 are done for {@code ready}, its chosen blocks are about to be applied, and
     * nothing of it has completed yet; the calls below follow, in this order: {@link #chosen}
     * for each block as it is applied (before the sync, but for those of {@link
     * Ready#chosenBeforeSync()} on), then, after the sync, {@link #durable},
     * {@link #roundEvent}, {@link #roundDone}, {@link #roundFailed}, {@link #readReady}, {@link
     * #readFailed}.
     *
     * @param ready the batch
     */
    default void carriedOut(Ready ready) {}

    /**
     * {@code entry}'s append is durable (R4).
     *
     * @param entry the entry
     */
    default void durable(Entry entry) {}

    /**
     * {@code chosen} is chosen (a majority's votes for it are durable) and applied (R9); this
     * node's own write of it may not be synced yet (R15). It still holds its control entries.
     *
     * @param chosen the block and its slot
     */
    default void chosen(SlotBlock chosen) {}

    /**
     * {@code chosen} is chosen and applied, with {@code results}: one per entry of the block
     * the application saw (without control entries), or empty. Calls {@link #chosen(SlotBlock)}
     * unless overridden.
     *
     * @param chosen the block and its slot
     * @param results the entries' results, or an empty list
     */
    default void chosen(SlotBlock chosen, List<?> results) {
      chosen(chosen);
    }

    /**
     * Something happened to the node's proposer.
     *
     * @param event what happened
     */
    default void roundEvent(RoundEvent event) {}

    /**
     * The {@code runRound()} with this ticket finished.
     *
     * @param ticket the round's ticket
     */
    default void roundDone(long ticket) {}

    /**
     * The {@code runRound()} with this ticket gave up without a majority (R14).
     *
     * @param ticket the round's ticket
     */
    default void roundFailed(long ticket) {}

    /**
     * The {@code read()} with this ticket may run now: its slots are applied (R19).
     *
     * @param ticket the read's ticket
     */
    default void readReady(long ticket) {}

    /**
     * The {@code read()} with this ticket could not be served in time (R19).
     *
     * @param ticket the read's ticket
     */
    default void readFailed(long ticket) {}
  }

  /**
   * Watches the steps of each batch and may stop one part-way, as a crash would. For the
   * simulator's crash injection and checkers; production uses {@link #NONE}. Called on the
   * executor's thread; every method has a pass-through default.
   */
  public interface Hook {
    /** A hook that never interferes. */
    Hook NONE = new Hook() {};

    /**
     * Step 2 begins: {@code ready}'s writes are with the store, not yet synced. Returns how many
     * of its {@link Ready#early} messages to send; fewer than all stops the batch after them.
     *
     * @param ready the batch
     * @return how many early messages to send
     */
    default int earlyMessagesToSend(Ready ready) {
      return ready.early().size();
    }

    /**
     * Step 3 (apply) begins: the early messages left; the writes are not yet synced. False stops
     * here.
     *
     * @param ready the batch
     * @return false to stop here
     */
    default boolean beforeApply(Ready ready) {
      return true;
    }

    /**
     * Step 4 begins: the chosen blocks that need no sync are applied; the writes are not yet
     * synced. False stops here.
     *
     * @param ready the batch
     * @return false to stop here
     */
    default boolean beforeSync(Ready ready) {
      return true;
    }

    /**
     * Step 5 begins: the writes are durable. Returns how many of {@code ready}'s other messages
     * to send; fewer than all stops the batch after sending them.
     *
     * @param ready the batch
     * @return how many messages to send
     */
    default int messagesToSend(Ready ready) {
      return ready.messages().size();
    }

    /**
     * Step 6 begins: every message was sent. False stops here.
     *
     * @param ready the batch
     * @return false to stop here
     */
    default boolean beforeComplete(Ready ready) {
      return true;
    }

    /**
     * {@code chosen} was applied (also when replayed at start-up); unlike what the application
     * saw, it still holds its control entries.
     *
     * @param chosen the block and its slot
     */
    default void applied(SlotBlock chosen) {}
  }
}
