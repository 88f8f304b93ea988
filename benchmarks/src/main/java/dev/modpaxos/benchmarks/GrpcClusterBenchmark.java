package dev.modpaxos.benchmarks;

import dev.modpaxos.local.LocalNetwork;
import dev.modpaxos.transport.grpc.GrpcTransport;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.annotations.Param;

/**
 * modpaxos end to end on the transfer workload of {@link ClusterWorkload}: 3 and 5 {@code
 * PaxosNode}s, AUTO trigger (stable leader on), in-memory stores, over {@code GrpcTransport} on
 * 127.0.0.1 ({@code transport=grpc}) or over {@code LocalNetwork} ({@code transport=local}).
 * Commit latency is submit to chosen-and-applied at the leader; compare {@code grpc} with {@link
 * FloorBenchmark#roundTrip} and with Ratis, {@code local} with MicroRaft (also in-memory).
 */
public class GrpcClusterBenchmark extends ClusterWorkload {

  @Param({"grpc", "local"})
  String transport;

  @Param({"3", "5"})
  int nodes;

  @Override
  protected BenchCluster open() throws Exception {
    return switch (transport) {
      case "grpc" -> {
        Map<Integer, InetSocketAddress> members = new TreeMap<>();
        for (int id = 1; id <= nodes; id++) {
          members.put(id, Loopback.freeAddress());
        }
        yield PaxosCluster.inMemory(nodes, id -> GrpcTransport.builder(id, members).build());
      }
      case "local" -> {
        LocalNetwork network = new LocalNetwork();
        yield PaxosCluster.inMemory(nodes, network::transport);
      }
      default -> throw new IllegalArgumentException("unknown transport " + transport);
    };
  }
}
