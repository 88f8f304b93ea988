package dev.modpaxos.spi;

import dev.modpaxos.protocol.Block;

/**
 * The replicated state machine fed with chosen blocks.
 *
 * <p>{@link #apply} is called on the node's event loop, for slots 1, 2, 3, ... in order, each slot
 * once per process lifetime. After a restart the node replays every chosen block from slot 1, so an
 * application that keeps its state in memory rebuilds it. A block is applied only after it is
 * durable. {@code apply} must be deterministic and should not block; an exception is logged and
 * the slot counts as applied, so it must not depend on anything but the block and earlier blocks.
 */
@FunctionalInterface
public interface Application {
  void apply(long slot, Block block);
}
