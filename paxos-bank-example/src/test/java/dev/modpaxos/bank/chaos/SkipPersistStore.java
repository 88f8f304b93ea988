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
 * The deliberately broken build of the chaos harness: a {@link Store} that drops every local-log
 * append, so a transfer is acknowledged as durable although nothing was written
 * (persist-before-reply skipped). A kill -9 then loses acknowledged transfers, which the checkers
 * must report. Test-only; used by {@code dev.modpaxos.bank.BrokenChaosServer}.
 */
public final class SkipPersistStore implements Store {
  private final Store inner;

  public SkipPersistStore(Store inner) {
    this.inner = inner;
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
  public void saveChosen(SlotBlock chosen) {
    inner.saveChosen(chosen);
  }

  @Override
  public void appendLocal(Entry entry) {
    // BROKEN ON PURPOSE: the entry is acknowledged but never written.
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
