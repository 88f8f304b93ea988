package dev.modpaxos.local;

import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.Stamp;
import dev.modpaxos.spi.Transport;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-JVM network: {@link #transport(int)} hands out one {@link Transport} per node, and a send
 * calls the addressee's inbound handler directly on the sender's thread, with the sender's stamp.
 * Messages are immutable, so they are shared, not copied. Thread-safe.
 */
public final class LocalNetwork {
  private final Map<Integer, Transport.Inbound> inbound = new ConcurrentHashMap<>();
  private final AtomicLong dropped = new AtomicLong();
  // The node ids this network serves, or null if any id may join.
  private final Set<Integer> nodes;

  /** A network any node id may join; its transports cannot tell their peers ({@code null}). */
  public LocalNetwork() {
    this.nodes = null;
  }

  /**
   * A network of the given node ids only: its transports report them as their {@link
   * Transport#peers()}, and {@link #transport(int)} refuses any other id.
   *
   * @param nodes the node ids on this network, positive
   */
  public LocalNetwork(Collection<Integer> nodes) {
    Set<Integer> ids = new TreeSet<>(nodes);
    if (ids.isEmpty() || ids.iterator().next() <= 0) {
      throw new IllegalArgumentException("node ids must be positive, got " + nodes);
    }
    this.nodes = Set.copyOf(ids);
  }

  /**
   * The transport of node {@code nodeId}. One per node; a restarted node asks for a new one.
   *
   * @param nodeId the node the transport belongs to
   * @return a new, unstarted transport on this network
   */
  public Transport transport(int nodeId) {
    if (nodes != null && !nodes.contains(nodeId)) {
      throw new IllegalArgumentException(
          "node " + nodeId + " is not on this network " + new TreeSet<>(nodes));
    }
    return new LocalTransport(nodeId);
  }

  /** {@return the number of messages addressed to a node that was not started or is closed} */
  public long dropped() {
    return dropped.get();
  }

  private final class LocalTransport implements Transport {
    private final int self;
    private volatile boolean open = true;

    LocalTransport(int self) {
      this.self = self;
    }

    @Override
    public void start(Inbound handler) {
      if (inbound.putIfAbsent(self, handler) != null) {
        throw new IllegalStateException("node " + self + " is already started on this network");
      }
    }

    @Override
    public void send(Stamp stamp, Message message) {
      Inbound to = open ? inbound.get(message.to()) : null;
      if (to == null || message.from() != self) {
        dropped.incrementAndGet();
        return;
      }
      try {
        to.deliver(stamp, message);
      } catch (RuntimeException e) {
        dropped.incrementAndGet(); // the contract: send never throws
      }
    }

    @Override
    public Set<Integer> peers() {
      return nodes;
    }

    @Override
    public void close() {
      if (open) {
        open = false;
        inbound.remove(self);
      }
    }
  }
}
