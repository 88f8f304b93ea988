package dev.modpaxos.benchmarks;

import dev.modpaxos.local.InMemoryStore;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.protocol.RoundTrigger;
import dev.modpaxos.runtime.PaxosNode;
import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.Transport;
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

  private final List<PaxosNode> nodes = new ArrayList<>();
  private final Runnable onClose;
  private final PaxosNode leader;

  PaxosCluster(
      int size, IntFunction<Transport> transports, IntFunction<Store> stores, Runnable onClose)
      throws Exception {
    this.onClose = onClose;
    List<Integer> members = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      members.add(i);
    }
    try {
      for (int id : members) {
        Transfers ledger = new Transfers();
        ReplicaConfig.Builder b = ReplicaConfig.builder(id, members).trigger(RoundTrigger.AUTO);
        // A tuning knob, off by default: -jvmArgsPrepend -Dbench.pipelineSlots=N (R18's window).
        int slots = Integer.getInteger("bench.pipelineSlots", 0);
        ReplicaConfig config = (slots > 0 ? b.pipelineSlots(slots) : b).build();
        nodes.add(
            PaxosNode.builder(config)
                .transport(transports.apply(id))
                .store(stores.apply(id))
                .application(
                    (slot, block) -> {
                      for (Entry e : block.entries()) {
                        ledger.apply(e.payload());
                      }
                    })
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
    return new PaxosCluster(size, transports, id -> new InMemoryStore(), () -> {});
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
}
