package dev.modpaxos.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.EntryId;
import dev.modpaxos.spi.StoreException;
import org.junit.jupiter.api.Test;

class FaultInjectingStoreTest {
  private final InMemoryStore inner = new InMemoryStore();
  private final DiskFaults faults = new DiskFaults();
  private final FaultInjectingStore store = new FaultInjectingStore(inner, faults);

  private static Entry entry(long seq) {
    return new Entry(1, seq, new byte[] {(byte) seq});
  }

  @Test
  void aFailedSyncThrowsAndLeavesTheWritesUnsynced() {
    store.appendLocal(entry(1));
    faults.failSyncs(1);
    assertThatThrownBy(store::sync)
        .isInstanceOf(StoreException.class)
        .hasMessage("injected fsync error");
    assertThat(inner.syncs()).isZero();
    assertThat(inner.unsyncedWrites()).isEqualTo(1);
    assertThat(faults.failedSyncs()).isEqualTo(1);
    assertThat(inner.crash()).isEqualTo(1); // a crash now loses the entry
    assertThat(inner.load().localLog()).isEmpty();
  }

  @Test
  void onlyTheNextNSyncsFailAndANewCountReplacesTheOld() {
    faults.failSyncs(2);
    assertThatThrownBy(store::sync).isInstanceOf(StoreException.class);
    store.appendLocal(entry(1));
    assertThatThrownBy(store::sync).isInstanceOf(StoreException.class);
    store.sync();
    assertThat(inner.syncs()).isEqualTo(1);
    assertThat(inner.load().localLog()).containsExactly(entry(1));
    faults.failSyncs(5);
    faults.failSyncs(0);
    store.sync();
    assertThat(inner.syncs()).isEqualTo(2);
  }

  @Test
  void aSlowSyncSleepsFirstThenSyncs() {
    faults.slowSyncMillis(30);
    store.appendLocal(entry(1));
    long start = System.nanoTime();
    store.sync();
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(30_000_000L);
    assertThat(inner.unsyncedWrites()).isZero();
    faults.heal();
    assertThat(faults.slowSyncMillis()).isZero();
  }

  @Test
  void badSettingsAreRefusedAndChangeNothing() {
    faults.failSyncs(1);
    assertThatThrownBy(() -> faults.failSyncs(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("syncs to fail must be >= 0, got -1");
    assertThatThrownBy(() -> faults.slowSyncMillis(-5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(faults.syncsToFail()).isEqualTo(1);
    assertThat(faults.slowSyncMillis()).isZero();
  }

  @Test
  void everyOtherCallReachesTheInnerStore() {
    store.appendLocal(entry(1));
    store.appendLocal(entry(2));
    store.removeLocal(java.util.List.of(new EntryId(1, 1)));
    store.sync();
    assertThat(inner.load().localLog()).containsExactly(entry(2));
    assertThat(store.supportsSnapshots()).isEqualTo(inner.supportsSnapshots());
    assertThat(store.inner()).isSameAs(inner);
  }
}
