package dev.modpaxos.local;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.EntryId;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.protocol.SlotBlock;
import dev.modpaxos.spi.SnapshotSink;
import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.StoreIdentity;
import dev.modpaxos.spi.StoredState;
import java.util.Collection;

/**
 * A {@link Store} that passes every call to another one: the base of store decorators, which
 * override only the calls they change. Threading, blocking and failures as the inner store.
 */
public abstract class ForwardingStore implements Store {
  private final Store inner;

  /**
   * @param inner the store every call goes to
   */
  protected ForwardingStore(Store inner) {
    this.inner = java.util.Objects.requireNonNull(inner, "inner");
  }

  /** {@return the store this one decorates} */
  public final Store inner() {
    return inner;
  }

  @Override
  public void sync() {
    inner.sync();
  }

  @Override
  public StoredState load() {
    return inner.load();
  }

  @Override
  public void saveIdentity(StoreIdentity identity) {
    inner.saveIdentity(identity);
  }

  @Override
  public boolean keepsIdFloor() {
    return inner.keepsIdFloor();
  }

  @Override
  public void saveIdFloor(dev.modpaxos.spi.IdFloor floor) {
    inner.saveIdFloor(floor);
  }

  @Override
  public void savePromised(Ballot promised) {
    inner.savePromised(promised);
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
    inner.appendLocal(entry);
  }

  @Override
  public void removeLocal(Collection<EntryId> ids) {
    inner.removeLocal(ids);
  }

  @Override
  public boolean supportsSnapshots() {
    return inner.supportsSnapshots();
  }

  @Override
  public SnapshotSink openSnapshot(long slot) {
    return inner.openSnapshot(slot);
  }

  @Override
  public void compactThrough(long slot) {
    inner.compactThrough(slot);
  }

  @Override
  public void close() {
    inner.close();
  }

}
