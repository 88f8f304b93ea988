package dev.modpaxos.local;

import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.Stamp;
import dev.modpaxos.spi.RpcStats;
import dev.modpaxos.spi.Transport;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Decorates any {@link Transport} with the faults set in a {@link NetworkFaults}: dropped,
 * duplicated, delayed, cut and disconnected traffic. Disconnects and cut links are checked on both
 * the sending and the receiving side, so a one-way cut {@code a -> b} may be set on either node's
 * switchboard; loss, duplicates and delay apply on the sending side. Thread-safe.
 */
public final class FaultInjectingTransport implements Transport {
  private final int self;
  private final Transport inner;
  private final NetworkFaults faults;
  private final ScheduledExecutorService delayer;

  /**
   * Wraps {@code inner}, the transport of node {@code self}, applying {@code faults} to what it
   * sends and receives.
   *
   * @param self the id of the node that owns {@code inner}
   * @param inner the transport that carries what the faults let through
   * @param faults the faults, shared by every node's decorator
   */
  public FaultInjectingTransport(int self, Transport inner, NetworkFaults faults) {
    this.self = self;
    this.inner = inner;
    this.faults = faults;
    this.delayer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "modpaxos-faults-" + self);
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public void start(Inbound inbound) {
    inner.start(
        (stamp, m) -> {
          if (faults.admitsInbound(m.from(), self)) {
            inbound.deliver(stamp, m);
          }
        });
  }

  @Override
  public void send(Stamp stamp, Message message) {
    if (!faults.admits(self, message.to())) {
      return;
    }
    for (int copies = faults.copies(); copies > 0; copies--) {
      sendDelayed(stamp, message);
    }
  }

  private void sendDelayed(Stamp stamp, Message message) {
    long delay = faults.nextDelayMillis();
    if (delay == 0) {
      inner.send(stamp, message);
      return;
    }
    try {
      delayer.schedule(() -> inner.send(stamp, message), delay, TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      // closed: the message is lost, which the contract allows
    }
  }

  @Override
  public Set<Integer> peers() {
    return inner.peers();
  }

  @Override
  public List<RpcStats> rpcStats() {
    return inner.rpcStats();
  }

  @Override
  public void close() {
    delayer.shutdownNow();
    inner.close();
  }
}
