package dev.modpaxos.storage.chronicle;

import static dev.modpaxos.spi.StoreContract.entry;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.protocol.SlotBlock;
import dev.modpaxos.spi.StoreContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prints what a store write costs in each durability mode, and how long opening takes after an
 * unclean shutdown. Measures only; asserts nothing. Runs only when asked:
 *
 * <pre>
 * mvn -B -q -pl paxos-storage-chronicle -am test -Dtest=ChronicleStoreMeasureTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dstore.measure=true
 * </pre>
 *
 * The recovery time after a real kill -9 is printed by ChronicleStoreCrashTest.
 */
@EnabledIfSystemProperty(named = "store.measure", matches = "true")
class ChronicleStoreMeasureTest {
  @TempDir Path dir;

  @Test
  void writeAndSyncCostPerDurabilityMode() {
    for (Durability mode : Durability.values()) {
      ChronicleStoreConfig config = ChronicleStoreConfig.builder().durability(mode).build();
      Path d = dir.resolve(mode.name());
      try (ChronicleStore store = ChronicleStore.open(d, config)) {
        store.load();
        int n = mode == Durability.PROCESS ? 20_000 : 2_000;
        measure(mode + " appendLocal(100 B)+sync", n, i -> {
          store.appendLocal(entry(1, i, 100));
          store.sync();
        });
        measure(mode + " round (promise, accept, chosen 10x100 B, 10 removes)+sync", n / 2,
            i -> {
              long slot = i;
              store.savePromised(new Ballot(slot, 1));
              Block b = StoreContract.block(slot, 10);
              store.saveAccepted(new Proposal(slot, new Ballot(slot, 1), b));
              store.saveChosen(new SlotBlock(slot, b));
              store.removeLocal(b.ids());
              store.sync();
            });
      }
    }
  }

  @Test
  void openTimeCleanAndAfterAnUncleanShutdown() throws Exception {
    for (int blocks : new int[] {1_000, 20_000}) {
      Path d = dir.resolve("open-" + blocks);
      try (ChronicleStore store = ChronicleStore.open(d)) {
        store.load();
        for (long slot = 1; slot <= blocks; slot++) {
          store.saveChosen(new SlotBlock(slot, StoreContract.block(slot, 10)));
          store.appendLocal(entry(2, slot, 100));
        }
      }
      for (int run = 0; run < 3; run++) {
        try (ChronicleStore store = ChronicleStore.open(d)) {
          store.load();
          System.out.printf("MEASURE open clean, %d blocks: %.1f ms%n", blocks,
              store.openReport().openNanos() / 1e6);
        }
        Files.delete(d.resolve(ChronicleStore.CLEAN_MARKER));
        try (ChronicleStore store = ChronicleStore.open(d)) {
          store.load();
          System.out.printf("MEASURE open with recovery, %d blocks: %.1f ms%n", blocks,
              store.openReport().openNanos() / 1e6);
        }
      }
    }
  }

  private interface Step {
    void run(long i);
  }

  private static void measure(String what, int n, Step step) {
    long[] nanos = new long[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      step.run(i + 1L);
      nanos[i] = System.nanoTime() - t0;
    }
    // The first half is warm-up.
    long[] measured = Arrays.copyOfRange(nanos, n / 2, n);
    Arrays.sort(measured);
    double mean = Arrays.stream(measured).average().orElse(0) / 1e3;
    System.out.printf("MEASURE %s: n=%d mean %.1f us, p50 %.1f us, p99 %.1f us%n", what,
        measured.length, mean, measured[measured.length / 2] / 1e3,
        measured[(int) (measured.length * 0.99)] / 1e3);
  }
}
