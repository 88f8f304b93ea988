package dev.modpaxos.benchmarks;

import dev.modpaxos.local.InMemoryStore;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.protocol.RoundTrigger;
import dev.modpaxos.runtime.PaxosNode;
import dev.modpaxos.spi.SnapshotApplication;
import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.Transport;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * N modpaxos {@link PaxosNode}s in this JVM, AUTO trigger (stable leader on), each applying the
 * transfer ledger. The client submits at the stable leader, as the peers' clients do. The
 * transport and store of each node come from the given factories.
 */
final class PaxosCluster implements BenchCluster {
  private static final long LEADER_WAIT_MILLIS = 30_000;
  /**
   * In-memory clusters snapshot every 128 KiB of payload (4,096 transfers) and compact below it,
   * as a long-running in-memory node must and as MicroRaft does by default: without it the log
   * fills the 1 GB heap within the warm-up at 300,000 transfers/s, and the run measures the GC.
   */
  static final long IN_MEMORY_SNAPSHOT_EVERY_BYTES = 128 << 10;

  private final List<PaxosNode> nodes = new ArrayList<>();
  private final Runnable onClose;
  private final PaxosNode leader;

  PaxosCluster(
      int size, IntFunction<Transport> transports, IntFunction<Store> stores, Runnable onClose)
      throws Exception {
    this(size, transports, stores, 0, onClose);
  }

  /** As above; {@code snapshotEveryBytes > 0} turns snapshots and compaction on (R20). */
  PaxosCluster(
      int size, IntFunction<Transport> transports, IntFunction<Store> stores,
      long snapshotEveryBytes, Runnable onClose)
      throws Exception {
    this.onClose = onClose;
    List<Integer> members = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      members.add(i);
    }
    try {
      for (int id : members) {
        Ledger ledger = new Ledger();
        ReplicaConfig.Builder b = ReplicaConfig.builder(id, members).trigger(RoundTrigger.AUTO);
        // A tuning knob, off by default: -jvmArgsPrepend -Dbench.pipelineSlots=N (R18's window).
        int slots = Integer.getInteger("bench.pipelineSlots", 0);
        ReplicaConfig config = (slots > 0 ? b.pipelineSlots(slots) : b).build();
        nodes.add(
            PaxosNode.builder(config)
                .transport(transports.apply(id))
                .store(stores.apply(id))
                .application(ledger)
                .snapshotEveryBytes(snapshotEveryBytes)
                .bootstrap(true) // every benchmark cluster is new, on fresh stores
                .build()
                .start());
      }
      leader = awaitLeader();
    } catch (Exception | Error e) {
      close();
      throw e;
    }
  }

  /** An in-memory cluster over {@code LocalNetwork}-style transports with {@link InMemoryStore}s. */
  static PaxosCluster inMemory(int size, IntFunction<Transport> transports) throws Exception {
    return new PaxosCluster(
        size, transports, id -> new InMemoryStore(), IN_MEMORY_SNAPSHOT_EVERY_BYTES, () -> {});
  }

  private PaxosNode awaitLeader() throws Exception {
    nodes.get(0).submit(new Transfers().next()).chosen().get(LEADER_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LEADER_WAIT_MILLIS);
    while (System.nanoTime() < deadline) {
      for (PaxosNode n : nodes) {
        if (n.isLeader()) {
          return n;
        }
      }
      Thread.sleep(10);
    }
    throw new IllegalStateException("no stable leader after " + LEADER_WAIT_MILLIS + " ms");
  }

  PaxosNode leader() {
    return leader;
  }

  List<PaxosNode> nodes() {
    return nodes;
  }

  @Override
  public CompletableFuture<?> submit(byte[] command) {
    return leader.submit(command).chosen();
  }

  @Override
  public void close() {
    for (PaxosNode n : nodes) {
      try {
        n.close();
      } catch (RuntimeException e) {
        System.err.println("close node " + n.nodeId() + ": " + e);
      }
    }
    onClose.run();
  }

  /** The transfer ledger as a {@link SnapshotApplication}: its snapshot is the balances. */
  private static final class Ledger implements SnapshotApplication {
    // Loop-confined.
    private final Transfers transfers = new Transfers();

    @Override
    public void apply(long slot, Block block) {
      for (Entry e : block.entries()) {
        transfers.apply(e.payload());
      }
    }

    @Override
    public SnapshotWriter snapshot(long slot) {
      long[] balances = transfers.balances();
      return out -> {
        DataOutputStream data = new DataOutputStream(out);
        for (long b : balances) {
          data.writeLong(b);
        }
        data.flush();
      };
    }

    @Override
    public void restore(long slot, InputStream in) throws IOException {
      DataInputStream data = new DataInputStream(in);
      long[] balances = new long[Transfers.ACCOUNTS];
      for (int i = 0; i < balances.length; i++) {
        balances[i] = data.readLong();
      }
      transfers.restore(balances);
    }
  }
}
