package dev.modpaxos.benchmarks;

import dev.modpaxos.local.LocalNetwork;
import org.openjdk.jmh.annotations.Param;

/**
 * modpaxos end to end over {@code LocalNetwork} (in-process, no sockets) with {@code
 * InMemoryStore}s, on the transfer workload of {@link ClusterWorkload}: 3 and 5 {@code
 * PaxosNode}s, AUTO trigger, one client submitting at the leader. The like-for-like comparison is
 * MicroRaft in {@link PeerBenchmark} (in-memory transport, no-op store): consensus and the node
 * runtime without a network or a disk. Until issue 11 these were {@code GrpcClusterBenchmark}'s
 * {@code transport=local} rows.
 */
public class LocalClusterBenchmark extends ClusterWorkload {

  @Param({"3", "5"})
  int nodes;

  @Override
  protected BenchCluster open() throws Exception {
    LocalNetwork network = new LocalNetwork();
    return PaxosCluster.inMemory(nodes, network::transport);
  }
}
