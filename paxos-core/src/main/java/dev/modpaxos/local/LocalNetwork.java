package dev.modpaxos.local;

import dev.modpaxos.protocol.Message;
import dev.modpaxos.spi.Transport;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * An in-JVM network: {@link #transport(int)} hands out one {@link Transport} per node, and a send
 * calls the addressee's inbound handler directly on the sender's thread. Messages are immutable,
 * so they are shared, not copied. Thread-safe.
 */
public final class LocalNetwork {
  private final Map<Integer, Consumer<Message>> inbound = new ConcurrentHashMap<>();
  private final AtomicLong dropped = new AtomicLong();

  /**
   * The transport of node {@code nodeId}. One per node; a restarted node asks for a new one.
   *
   * @param nodeId the node the transport belongs to
   * @return a new, unstarted transport on this network
   */
  public Transport transport(int nodeId) {
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
    public void start(Consumer<Message> handler) {
      if (inbound.putIfAbsent(self, handler) != null) {
        throw new IllegalStateException("node " + self + " is already started on this network");
      }
    }

    @Override
    public void send(Message message) {
      Consumer<Message> to = open ? inbound.get(message.to()) : null;
      if (to == null || message.from() != self) {
        dropped.incrementAndGet();
        return;
      }
      try {
        to.accept(message);
      } catch (RuntimeException e) {
        dropped.incrementAndGet(); // the contract: send never throws
      }
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
