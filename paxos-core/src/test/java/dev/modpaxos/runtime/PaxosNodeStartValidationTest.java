package dev.modpaxos.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modpaxos.local.FaultInjectingTransport;
import dev.modpaxos.local.InMemoryStore;
import dev.modpaxos.local.LocalNetwork;
import dev.modpaxos.local.NetworkFaults;
import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.protocol.Stamp;
import dev.modpaxos.spi.Transport;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Start-up validation (R2): a config with duplicate member ids, or a transport that does not know
 * every founding member or this node, is refused by {@code build()} with one clear line.
 */
class PaxosNodeStartValidationTest {
  private static final ReplicaConfig NODE_1_OF_123 = ReplicaConfig.builder(1, List.of(1, 2, 3))
      .build();

  private static PaxosNode.Builder builder(ReplicaConfig config, Transport transport) {
    return PaxosNode.builder(config)
        .transport(transport)
        .store(new InMemoryStore())
        .application((slot, block) -> {});
  }

  @Test
  void duplicateMemberIdsAreRefusedNotCollapsed() {
    assertThatThrownBy(() -> ReplicaConfig.builder(1, List.of(1, 2, 2, 3)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("members must be distinct, got [1, 2, 2, 3]");
  }

  @Test
  void aTransportWithoutAnAddressForAFoundingMemberIsRefused() {
    Transport t = new LocalNetwork(List.of(1, 2, 4)).transport(1);
    assertThatThrownBy(() -> builder(NODE_1_OF_123, t).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("node 1: the transport knows no address for founding member [3] of [1, 2, 3]"
            + " (it knows [1, 2, 4]); give the transport and the config the same members");
  }

  @Test
  void aDecoratedTransportIsCheckedThroughItsDecorator() {
    Transport t = new FaultInjectingTransport(
        1, new LocalNetwork(List.of(1, 4)).transport(1), new NetworkFaults(1));
    try {
      assertThatThrownBy(() -> builder(NODE_1_OF_123, t).build())
          .hasMessageStartingWith("node 1: the transport knows no address for founding members"
              + " [2, 3] of [1, 2, 3] (it knows [1, 4])");
    } finally {
      t.close();
    }
  }

  @Test
  void aTransportThatDoesNotKnowThisNodeIsRefused() {
    Transport blind = new Transport() { // never started: build() refuses it first
      @Override
      public void start(Inbound inbound) {}

      @Override
      public void send(Stamp stamp, Message m) {}

      @Override
      public Set<Integer> peers() {
        return Set.of(2, 3, 4);
      }

      @Override
      public void close() {}
    };
    assertThatThrownBy(() -> builder(NODE_1_OF_123, blind).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("node 1 is not among its transport's peers [2, 3, 4]; give the transport this"
            + " node's own address");
  }

  @Test
  void aTransportThatKnowsMoreOrCannotTellIsAccepted() {
    assertThat(builder(NODE_1_OF_123, new LocalNetwork(List.of(1, 2, 3, 4)).transport(1)).build())
        .isNotNull(); // an address for a joiner beyond the founding members is fine
    assertThat(builder(NODE_1_OF_123, new LocalNetwork().transport(1)).build()).isNotNull();
  }
}
