package dev.modpaxos.bank;

import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.Stamp;
import dev.modpaxos.spi.RpcStats;
import dev.modpaxos.spi.Transport;
import java.util.List;
import java.util.Set;

/**
 * Decorates a server's transport so that every message delivered to the node is also recorded
 * in its {@link MessageLog}, for the web view. It wraps the fault switchboard, so it records what
 * the node was really delivered (a disconnected server records nothing). Changes nothing else;
 * thread-safe like the transport it wraps.
 */
final class ObservingTransport implements Transport {
  private final Transport inner;
  private final MessageLog log;

  ObservingTransport(Transport inner, MessageLog log) {
    this.inner = inner;
    this.log = log;
  }

  @Override
  public void start(Inbound inbound) {
    inner.start((stamp, m) -> {
      log.record(m);
      inbound.deliver(stamp, m);
    });
  }

  @Override
  public void send(Stamp stamp, Message message) {
    inner.send(stamp, message);
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
    inner.close();
  }
}
