package dev.modpaxos.protocol;

import java.util.Objects;

/** A value accepted by an acceptor: the block {@code block} for {@code slot} at {@code ballot}. */
public record Proposal(long slot, Ballot ballot, Block block) {
  /**
   * Validates the components: a slot {@code >= 1}, a ballot and a block.
   *
   * @param slot see {@link #slot()}
   * @param ballot see {@link #ballot()}
   * @param block see {@link #block()}
   */
  public Proposal {
    if (slot < 1) {
      throw new IllegalArgumentException("slot must be >= 1, got " + slot);
    }
    Objects.requireNonNull(ballot, "ballot");
    Objects.requireNonNull(block, "block");
  }
}
