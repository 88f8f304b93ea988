package dev.modpaxos.benchmarks;

import dev.modpaxos.benchmarks.sofajraft.SofaJRaftCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * SOFAJRaft 1.4.1 (module {@code benchmarks-sofajraft}, shaded) as a {@link BenchCluster}: N
 * nodes on free 127.0.0.1 ports, Bolt RPC, RocksDB logs with fsync per batch in a temp folder
 * deleted by {@link #close()}, each node applying the transfer ledger.
 */
final class SofaJRaftPeer implements BenchCluster {
  private final Path dir = Loopback.tempDir("sofajraft");
  private final SofaJRaftCluster cluster;

  SofaJRaftPeer(int nodes) throws InterruptedException {
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      ports.add(Loopback.freePort());
    }
    try {
      cluster = new SofaJRaftCluster(ports, dir, () -> new Transfers()::apply);
    } catch (InterruptedException | RuntimeException e) {
      Loopback.deleteTree(dir);
      throw e;
    }
  }

  @Override
  public CompletableFuture<?> submit(byte[] command) {
    return cluster.submit(command);
  }

  @Override
  public void close() {
    try {
      cluster.close();
    } finally {
      Loopback.deleteTree(dir);
    }
  }
}
