package dev.modpaxos.benchmarks;

import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.EntryId;
import dev.modpaxos.storage.chronicle.ChronicleStore;
import dev.modpaxos.storage.chronicle.ChronicleStoreConfig;
import dev.modpaxos.storage.chronicle.Durability;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@code ChronicleStore} writes in each durability mode. One write is what a {@code submit} costs
 * the store: {@code appendLocal} of one entry with a 32-byte payload, then {@code sync()}. Every
 * {@value #REMOVE_EVERY} writes the written entries are removed again (one {@code removeLocal} and
 * a sync, as when a block including them is chosen), so the local log stays within its capacity;
 * that cost is spread over the writes. The store lives in a temp folder deleted afterwards.
 */
@State(Scope.Thread)
public class ChronicleStoreBenchmark extends BenchmarkDefaults {
  static final int REMOVE_EVERY = 256;

  @Param({"PROCESS", "POWER"})
  String durability;

  private Path dir;
  private ChronicleStore store;
  private final byte[] payload = new Transfers().next();
  private final List<EntryId> written = new ArrayList<>(REMOVE_EVERY);
  private long seq;

  @Setup(Level.Trial)
  public void open() {
    dir = Loopback.tempDir("chronicle");
    store =
        ChronicleStore.open(
            dir, ChronicleStoreConfig.builder().durability(Durability.valueOf(durability)).build());
    store.load();
  }

  @TearDown(Level.Trial)
  public void close() {
    try {
      store.close();
    } finally {
      Loopback.deleteTree(dir);
    }
  }

  /** Latency of one append-and-sync (sample time: p50/p99). */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public long writeLatency() {
    return write();
  }

  /** Append-and-sync writes per second, one writer. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public long writeThroughput() {
    return write();
  }

  private long write() {
    Entry e = new Entry(1, ++seq, payload);
    store.appendLocal(e);
    store.sync();
    written.add(e.id());
    if (written.size() == REMOVE_EVERY) {
      store.removeLocal(written);
      store.sync();
      written.clear();
    }
    return seq;
  }
}
