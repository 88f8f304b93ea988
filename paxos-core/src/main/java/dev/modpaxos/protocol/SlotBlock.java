package dev.modpaxos.protocol;

import java.util.Objects;

/** A chosen block together with its slot. */
public record SlotBlock(long slot, Block block) {
  /**
   * Validates the components: a slot {@code >= 1} and a block.
   *
   * @param slot see {@link #slot()}
   * @param block see {@link #block()}
   */
  public SlotBlock {
    if (slot < 1) {
      throw new IllegalArgumentException("slot must be >= 1, got " + slot);
    }
    Objects.requireNonNull(block, "block");
  }
}
