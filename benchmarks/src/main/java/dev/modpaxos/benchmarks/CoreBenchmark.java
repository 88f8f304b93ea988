package dev.modpaxos.benchmarks;

import dev.modpaxos.protocol.Replica;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The protocol's own cost: 3 or 5 in-memory {@link Replica}s on one thread, no I/O, stable leader
 * (AUTO trigger). One invocation submits {@value #BATCH} 32-byte transfers and pumps until every
 * replica has chosen them all; the score is nanoseconds per chosen entry, which on one thread is
 * also the CPU cost per entry (entries/s = 1e9 / score).
 *
 * <ul>
 *   <li>{@code submitAt=leader}: classic Multi-Paxos, every submit at the leader;
 *   <li>{@code submitAt=all}: the modified protocol's normal case, submits spread over all nodes
 *       and forwarded to the leader (R13);
 *   <li>{@code store=none}: store writes are dropped; {@code store=memory}: they go to an {@code
 *       InMemoryStore} with a sync per batch, as the runtime does.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CoreBenchmark extends BenchmarkDefaults {
  static final int BATCH = 64;
  static final long ENTRIES_PER_CLUSTER = 1 << 16;

  @Param({"3", "5"})
  int nodes;

  @Param({"leader", "all"})
  String submitAt;

  @Param({"none", "memory"})
  String store;

  private ReplicaPump pump;
  private Replica leader;
  private Replica[] submitters;
  private final Transfers transfers = new Transfers();
  private long expectedChosen;

  @Setup(Level.Iteration)
  public void setUp() {
    freshCluster();
  }

  /**
   * The core keeps every chosen block in memory, so a long run would measure the garbage collector
   * more than the protocol; a fresh cluster every {@value #ENTRIES_PER_CLUSTER} entries keeps the
   * heap flat. The election this costs is well under 1% of the work between two resets.
   */
  private void freshCluster() {
    pump = new ReplicaPump(nodes, "memory".equals(store));
    leader = pump.electLeader(transfers.next());
    expectedChosen = leader.chosenEntries();
    if ("leader".equals(submitAt)) {
      submitters = new Replica[] {leader};
    } else {
      submitters = new Replica[nodes];
      for (int i = 0; i < nodes; i++) {
        submitters[i] = pump.replica(i);
      }
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long chosenEntry() {
    if (expectedChosen >= ENTRIES_PER_CLUSTER) {
      freshCluster();
    }
    for (int i = 0; i < BATCH; i++) {
      submitters[i % submitters.length].submit(transfers.next());
    }
    pump.run();
    expectedChosen += BATCH;
    for (int i = 0; i < nodes; i++) {
      if (pump.replica(i).chosenEntries() != expectedChosen) {
        throw new IllegalStateException(
            "node " + (i + 1) + " chose " + pump.replica(i).chosenEntries()
                + " entries, expected " + expectedChosen);
      }
    }
    return expectedChosen;
  }
}
