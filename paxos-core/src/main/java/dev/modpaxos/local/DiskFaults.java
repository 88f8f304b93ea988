package dev.modpaxos.local;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The switchboard of {@link FaultInjectingStore}s: how long every sync sleeps first, and how many
 * of the next syncs fail. Thread-safe; changes take effect for the next sync.
 */
public final class DiskFaults {
  /** The longest slow sync that may be set: a liveness knob, never a correctness one. */
  public static final long SLOW_SYNC_MILLIS_MAX = 60_000;

  private volatile long slowSyncMillis;
  private final AtomicInteger syncsToFail = new AtomicInteger();
  private final AtomicLong failedSyncs = new AtomicLong();

  /**
   * Every later sync first sleeps {@code millis} ms; 0 stops it.
   *
   * @param millis the sleep before each sync, in [0, {@link #SLOW_SYNC_MILLIS_MAX}]
   */
  public void slowSyncMillis(long millis) {
    if (millis < 0 || millis > SLOW_SYNC_MILLIS_MAX) {
      throw new IllegalArgumentException(
          "slow sync must be in [0, " + SLOW_SYNC_MILLIS_MAX + "] ms, got " + millis);
    }
    slowSyncMillis = millis;
  }

  /**
   * The next {@code n} syncs throw {@link dev.modpaxos.spi.StoreException} without syncing,
   * replacing any count set before; 0 stops it.
   *
   * @param n how many syncs fail, {@code >= 0}
   */
  public void failSyncs(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("syncs to fail must be >= 0, got " + n);
    }
    syncsToFail.set(n);
  }

  /** Undoes every fault: syncs are neither slowed nor failed. */
  public void heal() {
    slowSyncMillis = 0;
    syncsToFail.set(0);
  }

  /** {@return the sleep before each sync, in ms} */
  public long slowSyncMillis() {
    return slowSyncMillis;
  }

  /** {@return how many of the next syncs will fail} */
  public int syncsToFail() {
    return syncsToFail.get();
  }

  /** {@return how many syncs these faults failed} */
  public long failedSyncs() {
    return failedSyncs.get();
  }

  /** True if this sync must fail; takes one from the count. */
  boolean takeSyncFailure() {
    boolean fail = syncsToFail.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    if (fail) {
      failedSyncs.incrementAndGet();
    }
    return fail;
  }
}
