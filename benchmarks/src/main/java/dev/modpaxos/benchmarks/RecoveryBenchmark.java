package dev.modpaxos.benchmarks;

import dev.modpaxos.local.LocalNetwork;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.protocol.RoundTrigger;
import dev.modpaxos.runtime.PaxosNode;
import dev.modpaxos.spi.SnapshotApplication;
import dev.modpaxos.storage.chronicle.ChronicleStore;
import dev.modpaxos.storage.chronicle.ChronicleStoreConfig;
import dev.modpaxos.storage.chronicle.Durability;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Issue 12: the time a node takes to serve again after a restart, and the heap a cluster keeps,
 * after {@code entries} chosen entries with snapshots and compaction on (docs/PROTOCOL.md R20).
 *
 * <p>The trial's setup writes the history: three nodes on the in-JVM network, each with a {@link
 * ChronicleStore} ({@link Durability#PROCESS}, so the history is written at page-cache speed) and
 * a snapshot every {@value #SNAPSHOT_EVERY_BYTES} payload bytes (4,096 entries of 32 bytes), with
 * {@value #TAIL_SLOTS} slots kept below each snapshot; {@value #WINDOW} submits are outstanding at
 * the leader, so a block holds at most that many entries. {@link #restart} (single shot, each
 * iteration once) then starts node 3, a follower, again from its store: open the Chronicle files,
 * restore the newest snapshot, apply the blocks after it, and answer a linearizable {@code read};
 * before each iteration the node is stopped, outside the measured time.
 *
 * <p>The secondary result {@code retainedHeapMiB} is the heap used by the whole three-node cluster
 * after the history, right after two full GCs (MemoryMXBean), read before each iteration; the
 * reported figure is its mean over the measured iterations.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
public class RecoveryBenchmark extends BenchmarkDefaults {
  static final int SNAPSHOT_EVERY_BYTES = 128 << 10;
  static final int TAIL_SLOTS = 16;
  static final int WINDOW = 256;
  private static final int RESTARTED = 3;
  private static final List<Integer> MEMBERS = List.of(1, 2, 3);
  private static final long WAIT_SECONDS = 120;

  @Param({"10000", "1000000"})
  int entries;

  private Path dir;
  private LocalNetwork network;
  private final PaxosNode[] nodes = new PaxosNode[MEMBERS.size() + 1];
  private final Counter[] apps = new Counter[MEMBERS.size() + 1];
  private long retainedHeapBytes;
  private int measuredIterations;

  /** The application: a count of entries and a sum of their first bytes; a tiny snapshot. */
  static final class Counter implements SnapshotApplication {
    // Loop-confined.
    private long count;
    private long sum;

    @Override
    public void apply(long slot, Block block) {
      for (Entry e : block.entries()) {
        count++;
        sum += e.payload()[0];
      }
    }

    @Override
    public SnapshotWriter snapshot(long slot) {
      long c = count;
      long s = sum;
      return out -> {
        DataOutputStream data = new DataOutputStream(out);
        data.writeLong(c);
        data.writeLong(s);
        data.flush();
      };
    }

    @Override
    public void restore(long slot, InputStream in) throws IOException {
      DataInputStream data = new DataInputStream(in);
      count = data.readLong();
      sum = data.readLong();
    }

    long count() {
      return count;
    }
  }

  /** The secondary result, per iteration. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Heap {
    public double retainedHeapMiB;
  }

  private PaxosNode start(int id, boolean bootstrap) {
    apps[id] = new Counter();
    ChronicleStoreConfig config =
        ChronicleStoreConfig.builder().durability(Durability.PROCESS).build();
    nodes[id] =
        PaxosNode.builder(ReplicaConfig.builder(id, MEMBERS).trigger(RoundTrigger.AUTO).build())
            .transport(network.transport(id))
            .store(ChronicleStore.open(dir.resolve("n" + id), config))
            .application(apps[id])
            .bootstrap(bootstrap)
            .snapshotEveryBytes(SNAPSHOT_EVERY_BYTES)
            .compactionTailSlots(TAIL_SLOTS)
            .build()
            .start();
    return nodes[id];
  }

  @Setup(Level.Trial)
  public void writeHistory(BenchmarkParams params) throws Exception {
    measuredIterations = params.getMeasurement().getCount();
    dir = Loopback.tempDir("recovery");
    network = new LocalNetwork();
    try {
      for (int id : MEMBERS) {
        start(id, true);
      }
      PaxosNode leader = nodes[1];
      leader.submit(new Transfers().next()).chosen().get(WAIT_SECONDS, TimeUnit.SECONDS);
      Transfers commands = new Transfers();
      ArrayDeque<CompletableFuture<?>> window = new ArrayDeque<>();
      for (int i = 1; i < entries; i++) {
        if (window.size() >= WINDOW) {
          window.poll().get(WAIT_SECONDS, TimeUnit.SECONDS);
        }
        window.add(leader.submit(commands.next()).chosen());
      }
      for (CompletableFuture<?> f : window) {
        f.get(WAIT_SECONDS, TimeUnit.SECONDS);
      }
      long seen = serves(RESTARTED);
      if (seen != entries) {
        throw new IllegalStateException("node " + RESTARTED + " applied " + seen + " of "
            + entries + " entries");
      }
      System.err.printf("# history: %d entries; node %d: snapshot of slot %d, compacted through"
              + " %d, committed slot %d, snapshots %s%n", entries, RESTARTED,
          nodes[RESTARTED].snapshotSlot(), nodes[RESTARTED].compactedSlot(),
          nodes[RESTARTED].committedSlot(), nodes[RESTARTED].snapshotCounts());
    } catch (Exception | Error e) {
      closeAll();
      throw e;
    }
  }

  /** A linearizable read on node {@code id}: the entries it has applied, once it serves. */
  private long serves(int id) throws Exception {
    Counter app = apps[id];
    return nodes[id].read(app::count).get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Setup(Level.Iteration)
  public void stopNode() {
    if (nodes[RESTARTED] != null && nodes[RESTARTED].isRunning()) {
      retainedHeapBytes = retainedHeap();
      nodes[RESTARTED].close();
    }
  }

  private static long retainedHeap() {
    System.gc();
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** Restarts node 3 from its store; done when a linearizable read on it answers. */
  @Benchmark
  public long restart(Heap heap) throws Exception {
    // JMH zeroes the counter before each iteration and sums the iterations' values (EVENTS):
    // each contributes its share, so the result is the mean over the measured iterations.
    heap.retainedHeapMiB = retainedHeapBytes / (1024.0 * 1024.0) / measuredIterations;
    start(RESTARTED, false);
    long seen = serves(RESTARTED);
    if (seen != entries) {
      throw new IllegalStateException("restarted node " + RESTARTED + " shows " + seen + " of "
          + entries + " entries");
    }
    return seen;
  }

  @TearDown(Level.Trial)
  public void closeAll() {
    for (PaxosNode n : nodes) {
      if (n != null) {
        try {
          n.close();
        } catch (RuntimeException e) {
          System.err.println("close node " + n.nodeId() + ": " + e);
        }
      }
    }
    Loopback.deleteTree(dir);
  }
}
