package dev.modpaxos.example.kv;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.local.InMemoryStore;
import dev.modpaxos.local.LocalNetwork;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.runtime.PaxosNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The quick start on the in-JVM network with real threads: three replicas, results of writes,
 * linearizable reads on any replica, and restarts from the stores. A restarted replica's first
 * read already sees every write completed while it was down. The waits are bounds on liveness
 * (10 s each), never conditions of correctness.
 */
class KvLocalClusterTest {
  private static final List<Integer> MEMBERS = List.of(1, 2, 3);

  private final LocalNetwork network = new LocalNetwork();
  private final Map<Integer, InMemoryStore> stores =
      Map.of(1, new InMemoryStore(), 2, new InMemoryStore(), 3, new InMemoryStore());
  private final List<KvNode> kv = new ArrayList<>();

  @AfterEach
  void closeAll() {
    kv.forEach(KvNode::close);
  }

  @Test
  void quickStart() throws Exception {
    // README-QUICKSTART:BEGIN usage
    for (int id = 1; id <= 3; id++) {                   // three replicas in one JVM
      ReplicaConfig config = ReplicaConfig.builder(id, List.of(1, 2, 3)).build();
      kv.add(KvNode.start(PaxosNode.builder(config)
          .transport(network.transport(id))             // or a GrpcTransport
          .store(stores.get(id))                        // or ChronicleStore.open(dir)
          .bootstrap(true)));                           // first start of a new cluster only
    }
    String replaced = kv.get(0).put("color", "red").get(10, SECONDS);           // null
    boolean set = kv.get(1).compareAndSet("color", "red", "blue").get(10, SECONDS); // true
    boolean lost = kv.get(2).compareAndSet("color", "red", "pink").get(10, SECONDS); // false
    String color = kv.get(2).get("color").get(10, SECONDS);                     // "blue"
    // README-QUICKSTART:END usage

    assertThat(replaced).isNull();
    assertThat(set).isTrue();
    assertThat(lost).isFalse();
    assertThat(color).isEqualTo("blue");
    assertThat(kv.get(0).put("color", "green").get(10, SECONDS)).isEqualTo("blue");
  }

  @Test
  void aRestartedReplicaReadsEveryWriteCompletedWhileItWasDown() throws Exception {
    startAll(true);
    kv.get(0).put("x", "1").get(10, SECONDS);
    kv.get(2).close(); // its store keeps what it synced
    kv.get(0).put("x", "2").get(10, SECONDS);
    assertThat(kv.get(1).compareAndSet("x", "2", "3").get(10, SECONDS)).isTrue();

    kv.set(2, start(3, false)); // a new KvStore, replayed from the store, then caught up
    assertThat(kv.get(2).get("x").get(10, SECONDS)).isEqualTo("3");
    assertThat(kv.get(2).compareAndSet("x", "3", "4").get(10, SECONDS)).isTrue();
    assertThat(kv.get(0).get("x").get(10, SECONDS)).isEqualTo("4");
  }

  @Test
  void theWholeClusterRestartsWithItsData() throws Exception {
    startAll(true);
    kv.get(0).put("a", "1").get(10, SECONDS);
    kv.get(1).put("b", "2").get(10, SECONDS);
    kv.forEach(KvNode::close);
    kv.clear();

    startAll(false);
    for (KvNode node : kv) {
      assertThat(node.get("a").get(10, SECONDS)).isEqualTo("1");
      assertThat(node.get("b").get(10, SECONDS)).isEqualTo("2");
    }
    assertThat(kv.get(2).put("a", "9").get(10, SECONDS)).isEqualTo("1");
  }

  @Test
  void ofTwoRacingCompareAndSetsExactlyOneWins() throws Exception {
    startAll(true);
    for (int round = 0; round < 5; round++) {
      String key = "lock" + round;
      CompletableFuture<Boolean> one = kv.get(0).compareAndSet(key, null, "n1");
      CompletableFuture<Boolean> two = kv.get(1).compareAndSet(key, null, "n2");
      boolean first = one.get(10, SECONDS);
      boolean second = two.get(10, SECONDS);
      assertThat(first).as("round %d: exactly one wins", round).isNotEqualTo(second);
      assertThat(kv.get(2).get(key).get(10, SECONDS)).isEqualTo(first ? "n1" : "n2");
    }
  }

  private void startAll(boolean bootstrap) {
    for (int id : MEMBERS) {
      kv.add(start(id, bootstrap));
    }
  }

  private KvNode start(int id, boolean bootstrap) {
    return KvNode.start(
        PaxosNode.builder(ReplicaConfig.builder(id, MEMBERS).build())
            .transport(network.transport(id))
            .store(stores.get(id))
            .bootstrap(bootstrap));
  }
}
