package dev.modpaxos.protocol;

import java.util.Objects;

/** A chosen block together with its slot. */
public record SlotBlock(long slot, Block block) {
  public SlotBlock {
    if (slot < 1) {
      throw new IllegalArgumentException("slot must be >= 1, got " + slot);
    }
    Objects.requireNonNull(block, "block");
  }
}
