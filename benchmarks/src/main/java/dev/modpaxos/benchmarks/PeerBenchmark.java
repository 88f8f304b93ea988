package dev.modpaxos.benchmarks;

import org.openjdk.jmh.annotations.Param;

/**
 * The transfer workload of {@link ClusterWorkload} (5 accounts, 32-byte commands, one client;
 * one outstanding and {@value ClusterWorkload#OUTSTANDING} outstanding) on the peer libraries,
 * 3 and 5 nodes in one JVM: Apache Ratis over its gRPC transport on 127.0.0.1 with its in-memory
 * log, MicroRaft over a small in-memory transport with its no-op store, and SOFAJRaft over Bolt
 * on 127.0.0.1 with RocksDB logs fsynced per batch ({@link SofaJRaftPeer}; the durable peer that
 * {@link GrpcClusterBenchmark}'s Chronicle rows are compared with). Same JVM flags as every other
 * benchmark, including {@code ForkJoinPool.common.parallelism=2}.
 */
public class PeerBenchmark extends ClusterWorkload {

  @Param({"ratis", "microraft", "sofajraft"})
  String system;

  @Param({"3", "5"})
  int nodes;

  @Override
  protected BenchCluster open() throws Exception {
    return switch (system) {
      case "ratis" -> new RatisCluster(nodes);
      case "microraft" -> new MicroRaftCluster(nodes);
      case "sofajraft" -> new SofaJRaftPeer(nodes);
      default -> throw new IllegalArgumentException("unknown system " + system);
    };
  }
}
