package dev.modpaxos.bank.chaos;

import dev.modpaxos.local.ForwardingStore;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.SlotBlock;
import dev.modpaxos.spi.Store;

/**
 * The deliberately broken builds of the chaos harness: a {@link Store} that drops every local-log
 * append ({@code skip-persist}), so a transfer is acknowledged as durable although nothing was
 * written (persist-before-reply skipped), or every chosen-block save ({@code skip-chosen}), so a
 * chosen block is applied and its entries leave the local log although the block was never
 * written. A kill -9 then loses acknowledged transfers (skip-persist; for skip-chosen, only a
 * restart of all servers at once, since the others still know the blocks), which the checkers
 * must report. Test-only; used by {@code dev.modpaxos.bank.BrokenChaosServer}.
 */
public final class SkipPersistStore extends ForwardingStore {
  // True: drop chosen-block saves (skip-chosen); false: drop local-log appends (skip-persist).
  private final boolean chosen;

  public SkipPersistStore(Store inner, boolean chosen) {
    super(inner);
    this.chosen = chosen;
  }

  @Override
  public void saveChosen(SlotBlock block) {
    if (!chosen) {
      super.saveChosen(block);
    }
    // else BROKEN ON PURPOSE: the block is applied, but never written.
  }

  @Override
  public void appendLocal(Entry entry) {
    if (chosen) {
      super.appendLocal(entry);
    }
    // else BROKEN ON PURPOSE: the entry is acknowledged but never written.
  }
}
