package dev.modpaxos.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.local.InMemoryStore;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.EntryId;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.protocol.RoundTrigger;
import dev.modpaxos.runtime.PaxosNode;
import dev.modpaxos.runtime.SubmitHandle;
import dev.modpaxos.spi.RpcStats;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

/**
 * Five {@link PaxosNode}s over {@link GrpcTransport} on 127.0.0.1 choose blocks while one node is
 * stopped and restarted from its store, and all agree afterwards.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GrpcClusterTest {
  private static final long WAIT_SECONDS = 30;
  private final List<Integer> ids = List.of(1, 2, 3, 4, 5);
  private final Map<Integer, InetSocketAddress> addresses = new HashMap<>();
  private final Map<Integer, InMemoryStore> stores = new HashMap<>();
  private final Map<Integer, PaxosNode> nodes = new HashMap<>();

  @TempDir Path dir;
  private TestPki pki; // null: plaintext

  /** Starts node {@code id}; {@code bootstrap} only on a founding member's first start (R16). */
  private void start(int id, boolean bootstrap) {
    GrpcTransport.Builder transport = GrpcTransport.builder(id, addresses);
    if (pki != null) {
      transport.tls(pki.node(id));
    }
    PaxosNode node =
        PaxosNode.builder(ReplicaConfig.builder(id, ids).trigger(RoundTrigger.AUTO).build())
            .transport(transport.build())
            .store(stores.get(id))
            .application((slot, block) -> {})
            .bootstrap(bootstrap)
            .build()
            .start();
    nodes.put(id, node);
  }

  @AfterEach
  void stopAll() {
    nodes.values().forEach(PaxosNode::close);
  }

  @ParameterizedTest(name = "mutual TLS: {0}")
  @ValueSource(booleans = {false, true})
  void fiveNodesChooseBlocksThroughARestartAndAgree(boolean tls) throws Exception {
    pki = tls ? new TestPki(dir, "cluster") : null;
    for (int id : ids) {
      addresses.put(id, Ports.freeLoopback());
      stores.put(id, new InMemoryStore());
    }
    ids.forEach(id -> start(id, true));
    Set<String> submitted = new HashSet<>();
    awaitChosen(submitRoundRobin(ids, 0, 20, submitted));

    nodes.remove(5).close(); // node 5 stops; its store keeps what it made durable
    awaitChosen(submitRoundRobin(List.of(1, 2, 3, 4), 20, 20, submitted));

    start(5, false); // a new node on the same store and address, not a new member
    awaitChosen(submitRoundRobin(ids, 40, 10, submitted));

    long committed = 0; // every submit is chosen somewhere; the highest slot any node knows
    for (PaxosNode n : nodes.values()) {
      committed = Math.max(committed, n.committedSlot());
    }
    for (PaxosNode n : nodes.values()) {
      awaitCommitted(n, committed);
    }
    int slots = (int) committed;
    List<Block> reference = nodes.get(1).chosenBlocks(1, slots);
    for (PaxosNode n : nodes.values()) {
      assertThat(n.chosenBlocks(1, slots)).as("node " + n.nodeId()).isEqualTo(reference);
    }
    List<EntryId> chosenIds = new ArrayList<>();
    Set<String> chosenPayloads = new HashSet<>();
    for (Block b : reference) {
      chosenIds.addAll(b.ids());
      for (Entry e : b.entries()) {
        chosenPayloads.add(new String(e.payload(), StandardCharsets.UTF_8));
      }
    }
    assertThat(chosenIds).doesNotHaveDuplicates();
    assertThat(chosenPayloads).isEqualTo(submitted);
    List<RpcStats> rpc = nodes.get(1).metrics().rpc();
    assertThat(rpc).anySatisfy(s -> assertThat(s.sent()).isPositive());
  }

  private List<SubmitHandle> submitRoundRobin(
      List<Integer> on, int first, int count, Set<String> submitted) {
    List<SubmitHandle> handles = new ArrayList<>();
    for (int i = first; i < first + count; i++) {
      String payload = "tx-" + i;
      submitted.add(payload);
      handles.add(nodes.get(on.get(i % on.size())).submit(payload.getBytes(StandardCharsets.UTF_8)));
    }
    return handles;
  }

  private static void awaitChosen(List<SubmitHandle> handles) throws Exception {
    for (SubmitHandle h : handles) {
      assertThat(h.chosen().get(WAIT_SECONDS, TimeUnit.SECONDS)).isPositive();
    }
  }

  private static void awaitCommitted(PaxosNode n, long slot) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (n.committedSlot() < slot && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(n.committedSlot()).as("node " + n.nodeId() + " committed slot").isGreaterThanOrEqualTo(slot);
  }
}
