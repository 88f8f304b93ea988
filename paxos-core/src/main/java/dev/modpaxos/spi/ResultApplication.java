package dev.modpaxos.spi;

import dev.modpaxos.protocol.Block;
import java.util.List;

/**
 * An {@link Application} whose entries produce results for their submitters: the outcome of a
 * compare-and-set, the value a write replaced, an error code. The node that submitted an entry
 * completes its handle's {@code result} future with that entry's result once the block is applied
 * there ({@code SubmitHandle#result}); other replicas compute the same result and drop it.
 *
 * <p>Everything {@link Application} says holds: called on the event loop, in slot order, once per
 * slot per process lifetime, also for replayed blocks at start-up (their results are dropped).
 * Results must be deterministic: the same on every replica, a function of the block and earlier
 * blocks only. They are kept in memory, never persisted or sent; return small objects.
 */
@FunctionalInterface
public interface ResultApplication extends Application {
  /**
   * Applies one block and returns one result per entry of {@code block.entries()}, in order
   * (null elements allowed), or an empty list for none. Any other size stops the node, like an
   * exception (fail-stop).
   *
   * @param slot the block's slot
   * @param block the chosen block, without control entries
   * @return the entries' results, in entry order, or an empty list
   */
  List<?> applyWithResults(long slot, Block block);

  @Override
  default void apply(long slot, Block block) {
    applyWithResults(slot, block);
  }
}
