package dev.modpaxos.local;

import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.StoreException;

/**
 * Decorates any {@link Store} with the sync faults set in a {@link DiskFaults}: a slow sync sleeps
 * first, a failed one throws {@link StoreException} ("injected fsync error") and leaves the
 * writes since the last sync unsynced, as an fsync that returned EIO would. Every other call goes
 * to the inner store unchanged. Threading as the inner store (the node's loop).
 */
public final class FaultInjectingStore extends ForwardingStore {
  private final DiskFaults faults;

  /**
   * Wraps {@code inner}, applying {@code faults} to its syncs.
   *
   * @param inner the store that keeps the state
   * @param faults the faults
   */
  public FaultInjectingStore(Store inner, DiskFaults faults) {
    super(inner);
    this.faults = faults;
  }

  @Override
  public void sync() {
    long slow = faults.slowSyncMillis();
    if (slow > 0) {
      try {
        Thread.sleep(slow);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // the sync still runs: nothing is acknowledged unsynced
      }
    }
    if (faults.takeSyncFailure()) {
      throw new StoreException("injected fsync error");
    }
    super.sync();
  }

  @Override
  public String toString() {
    return "fault-injecting " + inner();
  }
}
