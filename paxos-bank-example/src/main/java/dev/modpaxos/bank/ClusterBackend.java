package dev.modpaxos.bank;

import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.Transport;

/**
 * Where a bank server's node gets its transport and store: the in-JVM local network with
 * in-memory stores, or gRPC with Chronicle stores. Swapping backends changes nothing else.
 */
public interface ClusterBackend extends AutoCloseable {

  /** A fresh transport for node {@code nodeId}; called on every (re)start of that node. */
  Transport transport(int nodeId);

  /**
   * Opens node {@code nodeId}'s store. After a crash (the node closed) it opens the same store
   * again, with everything that was durable.
   */
  Store openStore(int nodeId);

  /** How long connections may take to come up when the cluster starts; 0 for in-JVM ones. */
  default long warmUpMillis() {
    return 0;
  }

  /** One line for logs and the report, e.g. "local transport, in-memory stores". */
  String description();

  /** Releases what the backend itself holds (not the nodes' transports and stores). */
  @Override
  default void close() {}
}
