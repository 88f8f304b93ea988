package dev.modpaxos.local;

import dev.modpaxos.spi.Transport;
import dev.modpaxos.spi.TransportContract;

/** {@link TransportContract} against {@link LocalNetwork}; the membership cases are skipped. */
class LocalNetworkTransportTest extends TransportContract {
  private final LocalNetwork network = new LocalNetwork();

  @Override
  protected Transport newTransport(int nodeId) {
    return network.transport(nodeId);
  }
}
