package dev.modpaxos.benchmarks;

import java.util.concurrent.CompletableFuture;

/**
 * A replicated transfer ledger under test, seen from its one client. Implementations exist for
 * modpaxos (over gRPC or the local network) and for each peer library. Thread-safe.
 */
interface BenchCluster extends AutoCloseable {

  /**
   * Submits one command through the client; the future completes once the command is committed
   * and applied on the node the client talks to (the leader, for every system here).
   */
  CompletableFuture<?> submit(byte[] command);

  /** Stops every node and deletes its data. Never throws. */
  @Override
  void close();
}
