package dev.modpaxos.sim;

import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.protocol.SlotBlock;
import java.util.List;

/**
 * A property the simulator checks. The simulation calls these hooks as things happen; a checker
 * records what it needs and reports every breach to the {@link Violations} it was built with. It
 * never throws. Every hook has a no-op default, so a checker implements only what it watches.
 *
 * @param <A> the application state it reads; the protocol's checkers read none ({@code Object})
 */
interface Checker<A> {

  /** {@code node} logged {@code entry} locally (not yet durable). */
  default void onSubmitted(int node, Entry entry) {}

  /** The store of {@code node} synced the append of {@code entry}: it is acknowledged durable. */
  default void onDurable(int node, Entry entry) {}

  /** {@code node} voted for {@code accepted}: its ACCEPTED may now reach a proposer. */
  default void onVoted(int node, Proposal accepted) {}

  /** {@code node}, as generation {@code generation}, durably voted (R17, R21). */
  default void onVoted(int node, int generation, Proposal accepted) {
    onVoted(node, accepted);
  }

  /**
   * {@code node} reported {@code chosen} as chosen and applied it; {@code app} is its application
   * state right after. Also called for every block replayed after a restart.
   */
  default void onApplied(int node, SlotBlock chosen, A app) {}

  /** {@code node} restarted from its store, which held {@code durableChosen} (slot 1 first). */
  default void onRestarted(int node, List<Block> durableChosen) {}

  /**
   * {@code node} restarted from its store, which held {@code firstSlot - 1} compacted slots (a
   * snapshot covers them, R20) and {@code durableChosen} from {@code firstSlot} on. Calls {@link
   * #onRestarted(int, List)} when nothing was compacted.
   */
  default void onRestarted(int node, long firstSlot, List<Block> durableChosen) {
    if (firstSlot == 1) {
      onRestarted(node, durableChosen);
    }
  }

  /**
   * As {@link #onRestarted(int, long, List)}; before the crash its store had synced the chosen
   * blocks up to {@code syncedThrough} ({@code Long.MAX_VALUE}: all it held). Blocks chosen and
   * applied after that were written without a sync of their own (R15) and may be missing.
   */
  default void onRestarted(int node, long firstSlot, List<Block> durableChosen,
      long syncedThrough) {
    onRestarted(node, firstSlot, durableChosen);
  }

  /**
   * {@code node} replaced its application state with a snapshot of {@code slot} (R20): at start-up
   * ({@code installed} false) or fetched from a peer ({@code installed} true); {@code app} is the
   * state right after. Blocks from {@code slot + 1} on are applied next.
   */
  default void onRestored(int node, long slot, boolean installed, A app) {}

  /**
   * The same as {@link #onStateLost(int, List, List)}, with {@code chosenLeft} starting at slot
   * {@code firstSlot} (after a compaction, R20); calls that method with the list as it is.
   */
  default void onStateLost(int node, long firstSlot, List<Block> chosenLeft, List<Entry> localLost) {
    onStateLost(node, chosenLeft, localLost);
  }

  /**
   * The disk of {@code node} lost state on purpose (R16): {@code chosenLeft} is the chosen prefix
   * that survived, {@code localLost} the acknowledged local entries that are gone.
   */
  default void onStateLost(int node, List<Block> chosenLeft, List<Entry> localLost) {}

  /** {@code node} was asked for linearizable read number {@code read} (R19). */
  default void onReadCalled(int node, long read) {}

  /**
   * Read {@code read} of {@code node} succeeded: its query ran when the node had applied every
   * slot up to {@code appliedSlot}.
   */
  default void onReadServed(int node, long read, long appliedSlot) {}

  /** Read {@code read} of {@code node} failed (no majority in time, node stopped, ...). */
  default void onReadFailed(int node, long read, Throwable cause) {}

  /** The liveness phase ended, {@code livenessTicks} ticks after it began. */
  default void onLivenessPhaseEnd(long livenessTicks) {}
}
