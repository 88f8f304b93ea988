package dev.modpaxos.benchmarks;

import dev.modpaxos.spi.Transport;
import dev.modpaxos.storage.chronicle.ChronicleStore;
import dev.modpaxos.storage.chronicle.ChronicleStoreConfig;
import dev.modpaxos.storage.chronicle.Durability;
import dev.modpaxos.transport.grpc.GrpcTransport;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;
import org.openjdk.jmh.annotations.Param;

/**
 * modpaxos end to end over {@code GrpcTransport} on 127.0.0.1, on the transfer workload of {@link
 * ClusterWorkload}: 3 and 5 {@code PaxosNode}s, AUTO trigger (stable leader on), one client
 * submitting at the leader. Commit latency is submit to chosen-and-applied at the leader.
 *
 * <p>{@code store} picks every node's store: {@code memory} ({@code InMemoryStore}; compare with
 * {@link FloorBenchmark#roundTrip} and with Ratis), or {@code chronicle-power} / {@code
 * chronicle-process} ({@code ChronicleStore}, default configuration but for its {@link
 * Durability}, one store per node in a temp folder deleted afterwards; compare with SOFAJRaft in
 * {@link PeerBenchmark}, whose RocksDB log is fsynced per batch). The local network runs only
 * with the in-memory store, in {@link LocalClusterBenchmark}, which keeps the suite from a
 * transport × store explosion.
 */
public class GrpcClusterBenchmark extends ClusterWorkload {

  @Param({"memory", "chronicle-power", "chronicle-process"})
  String store;

  @Param({"3", "5"})
  int nodes;

  @Override
  protected BenchCluster open() throws Exception {
    Map<Integer, InetSocketAddress> members = new TreeMap<>();
    for (int id = 1; id <= nodes; id++) {
      members.put(id, Loopback.freeAddress());
    }
    IntFunction<Transport> transports = id -> GrpcTransport.builder(id, members).build();
    return switch (store) {
      case "memory" -> PaxosCluster.inMemory(nodes, transports);
      case "chronicle-power" -> chronicle(transports, Durability.POWER);
      case "chronicle-process" -> chronicle(transports, Durability.PROCESS);
      default -> throw new IllegalArgumentException("unknown store " + store);
    };
  }

  private BenchCluster chronicle(IntFunction<Transport> transports, Durability durability)
      throws Exception {
    Path dir = Loopback.tempDir("chronicle-cluster");
    ChronicleStoreConfig config = ChronicleStoreConfig.builder().durability(durability).build();
    // PaxosCluster closes every node (and so its store) before it runs the clean-up, also when
    // it fails to start.
    return new PaxosCluster(
        nodes,
        transports,
        id -> ChronicleStore.open(dir.resolve("n" + id), config),
        () -> Loopback.deleteTree(dir));
  }
}
