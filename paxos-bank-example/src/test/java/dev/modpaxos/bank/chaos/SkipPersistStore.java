package dev.modpaxos.bank.chaos;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.EntryId;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.protocol.SlotBlock;
import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.StoredState;
import java.util.Collection;

/**
 * The deliberately broken builds of the chaos harness: a {@link Store} that drops every local-log
 * append ({@code skip-persist}), so a transfer is acknowledged as durable although nothing was
 * written (persist-before-reply skipped), or every chosen-block save ({@code skip-chosen}), so a
 * chosen block is applied and its entries leave the local log although the block was never
 * written. A kill -9 then loses acknowledged transfers (skip-persist; for skip-chosen, only a
 * restart of all servers at once, since the others still know the blocks), which the checkers
 * must report. Test-only; used by {@code dev.modpaxos.bank.BrokenChaosServer}.
 */
public final class SkipPersistStore implements Store {
  private final Store inner;
  // True: drop chosen-block saves (skip-chosen); false: drop local-log appends (skip-persist).
  private final boolean chosen;

  public SkipPersistStore(Store inner, boolean chosen) {
    this.inner = inner;
    this.chosen = chosen;
  }

  @Override
  public StoredState load() {
    return inner.load();
  }

  @Override
  public void savePromised(Ballot promised) {
    inner.savePromised(promised);
  }

  @Override
  public void saveIdentity(dev.modpaxos.spi.StoreIdentity identity) {
    inner.saveIdentity(identity);
  }

  @Override
  public void saveAccepted(Proposal accepted) {
    inner.saveAccepted(accepted);
  }

  @Override
  public void saveChosen(SlotBlock block) {
    if (!chosen) {
      inner.saveChosen(block);
    }
    // else BROKEN ON PURPOSE: the block is applied, but never written.
  }

  @Override
  public void appendLocal(Entry entry) {
    if (chosen) {
      inner.appendLocal(entry);
    }
    // else BROKEN ON PURPOSE: the entry is acknowledged but never written.
  }

  @Override
  public void removeLocal(Collection<EntryId> ids) {
    inner.removeLocal(ids);
  }

  @Override
  public void sync() {
    inner.sync();
  }

  @Override
  public void close() {
    inner.close();
  }
}
