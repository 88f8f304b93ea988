package dev.modpaxos.local;

import dev.modpaxos.spi.Transport;
import dev.modpaxos.spi.TransportContract;

/**
 * {@link TransportContract} against a {@link LocalNetwork} of the contract's members (so its
 * transports know their peers); the membership cases are skipped.
 */
class LocalNetworkTransportTest extends TransportContract {
  private final LocalNetwork network = new LocalNetwork(MEMBERS);

  @Override
  protected Transport newTransport(int nodeId) {
    return network.transport(nodeId);
  }
}
