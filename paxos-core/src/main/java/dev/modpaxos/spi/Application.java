package dev.modpaxos.spi;

import dev.modpaxos.protocol.Block;

/**
 * The replicated state machine fed with chosen blocks.
 *
 * <p>{@link #apply} is called on the node's event loop, for slots 1, 2, 3, ... in order, each slot
 * once per process lifetime. After a restart the node replays every chosen block from slot 1, so an
 * application that keeps its state in memory rebuilds it. A block is applied only after it is
 * durable, and without its control entries (membership changes, R17). {@code apply} must be
 * deterministic, depend on nothing but the block and earlier blocks, and should not block; it may
 * query its node (those calls answer at once on the loop).
 *
 * <p><b>An exception stops the node (fail-stop).</b> A slot that did not apply cannot count as
 * applied, or this replica would silently diverge from the others. So if {@code apply} throws,
 * the node applies nothing more and stops: every pending future fails with a {@code
 * NodeStoppedException} naming the slot and the cause; during start-up, {@code start()} throws.
 * The block stays chosen and durable: fix the cause and restart the node, which replays it.
 */
@FunctionalInterface
public interface Application {
  /**
   * Applies {@code block}, chosen for {@code slot}, to the state machine (see the interface's
   * contract above).
   *
   * @param slot the block's slot, one above the previous call's
   * @param block the chosen block, control entries left out
   */
  void apply(long slot, Block block);
}
