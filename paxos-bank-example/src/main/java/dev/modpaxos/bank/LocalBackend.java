package dev.modpaxos.bank;

import dev.modpaxos.local.InMemoryStore;
import dev.modpaxos.local.LocalNetwork;
import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.Transport;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-JVM backend: one {@link LocalNetwork} and one {@link InMemoryStore} per node, kept across
 * crashes so a recovered node finds its durable state.
 */
public final class LocalBackend implements ClusterBackend {
  private final LocalNetwork network = new LocalNetwork();
  private final Map<Integer, InMemoryStore> stores = new ConcurrentHashMap<>();

  @Override
  public Transport transport(int nodeId) {
    return network.transport(nodeId);
  }

  @Override
  public Store openStore(int nodeId) {
    return stores.computeIfAbsent(nodeId, id -> new InMemoryStore());
  }

  @Override
  public String description() {
    return "local transport, in-memory stores";
  }
}
