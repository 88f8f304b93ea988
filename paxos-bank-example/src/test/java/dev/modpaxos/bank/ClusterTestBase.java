package dev.modpaxos.bank;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Starts five in-JVM servers before each test and stops them after. Subclasses pick the backend
 * by overriding {@link #newBackend()} (local transport and in-memory stores by default).
 */
abstract class ClusterTestBase {
  protected ClusterBackend backend;
  protected Cluster cluster;

  protected ClusterBackend newBackend() throws Exception {
    return new LocalBackend();
  }

  @BeforeEach
  void startCluster() throws Exception {
    backend = newBackend();
    cluster = InJvmCluster.start(backend, 5, 5_000);
  }

  @AfterEach
  void stopCluster() {
    cluster.close();
    backend.close();
  }
}
