package dev.modpaxos.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modpaxos.local.InMemoryStore;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.protocol.RoundTrigger;
import dev.modpaxos.runtime.PaxosNode;
import dev.modpaxos.runtime.SubmitHandle;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * R2 over real sockets on 127.0.0.1: nodes 1 and 2 of one cluster and node 3 of another, with the
 * same member ids, reach each other through gRPC. Each side drops and counts the other's messages,
 * so node 3 decides nothing with them, while nodes 1 and 2, a majority of their own cluster, go
 * on choosing. Before stamps, nodes 1–2 started with [1,2,3] and node 3 with [1..5] shared votes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GrpcForeignClusterTest {
  private static final List<Integer> ONE_TO_THREE = List.of(1, 2, 3);
  private static final List<Integer> ONE_TO_FIVE = List.of(1, 2, 3, 4, 5);

  private final Map<Integer, InetSocketAddress> addresses = new HashMap<>();
  private final List<PaxosNode> nodes = new ArrayList<>();

  @AfterEach
  void stopAll() {
    nodes.forEach(PaxosNode::close);
  }

  private PaxosNode start(int id, String clusterId, List<Integer> founding) {
    Map<Integer, InetSocketAddress> peers = new HashMap<>();
    founding.forEach(m -> peers.put(m, addresses.get(m)));
    PaxosNode node =
        PaxosNode.builder(ReplicaConfig.builder(id, founding).clusterId(clusterId)
                .trigger(RoundTrigger.AUTO).build())
            .transport(GrpcTransport.builder(id, peers).reconnectBackoffMillis(10, 100).build())
            .store(new InMemoryStore())
            .application((slot, block) -> {})
            .bootstrap(true)
            .build();
    nodes.add(node);
    return node.start();
  }

  static Stream<Arguments> twoClusters() {
    return Stream.of(
        Arguments.of("another founding member list", "bank", ONE_TO_THREE, "bank", ONE_TO_FIVE),
        Arguments.of("another cluster id", "bank", ONE_TO_THREE, "kv", ONE_TO_THREE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("twoClusters")
  void nodesOfTwoClustersRejectEachOtherAndDecideNothingTogether(
      String difference, String idA, List<Integer> membersA, String idB, List<Integer> membersB)
      throws Exception {
    for (int id : ONE_TO_FIVE) {
      addresses.put(id, Ports.freeLoopback());
    }
    PaxosNode one = start(1, idA, membersA);
    PaxosNode two = start(2, idA, membersA);
    PaxosNode three = start(3, idB, membersB);

    SubmitHandle lonely = three.submit(new byte[] {3});
    SubmitHandle h = one.submit(new byte[] {1});
    assertThat(h.chosen().get(30, TimeUnit.SECONDS)).as("1 and 2 are a majority of theirs")
        .isPositive();
    Polling.awaitTrue(() -> three.metrics().rejectedForeign() > 0,
        "node 3 rejects the rounds of nodes 1 and 2");
    Polling.awaitTrue(() -> one.metrics().rejectedForeign() + two.metrics().rejectedForeign() > 0,
        "nodes 1 and 2 reject the rounds of node 3");

    // Node 3 cannot win a majority of its own cluster with them, nor learn any of their blocks.
    assertThat(three.committedSlot()).as(difference).isZero();
    assertThat(lonely.chosen()).isNotDone();
    assertThat(three.metrics().messagesReceived().values().stream().mapToLong(Long::longValue)
        .sum()).as("nothing of theirs reached node 3's core").isZero();
    for (Block b : one.chosenBlocks(1, 1000)) {
      assertThat(b.entries()).extracting(Entry::origin).doesNotContain(3);
    }
  }

  @Test
  void aConfigWhoseFoundingMembersTheTransportDoesNotKnowIsRefusedAtStart() {
    for (int id : ONE_TO_FIVE) {
      addresses.put(id, Ports.freeLoopback());
    }
    GrpcTransport transport = GrpcTransport.builder(1,
        Map.of(1, addresses.get(1), 2, addresses.get(2), 4, addresses.get(4))).build();
    PaxosNode.Builder builder =
        PaxosNode.builder(ReplicaConfig.builder(1, ONE_TO_THREE).build())
            .transport(transport)
            .store(new InMemoryStore())
            .application((slot, block) -> {});
    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("node 1: the transport knows no address for founding member [3] of [1, 2, 3]"
            + " (it knows [1, 2, 4]); give the transport and the config the same members");
    transport.close(); // never started: nothing to release
  }
}
