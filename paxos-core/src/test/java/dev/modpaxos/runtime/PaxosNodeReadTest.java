package dev.modpaxos.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modpaxos.local.FaultInjectingTransport;
import dev.modpaxos.local.InMemoryStore;
import dev.modpaxos.local.LocalNetwork;
import dev.modpaxos.local.NetworkFaults;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.BrokenRules;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.Replica;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.protocol.RoundTrigger;
import dev.modpaxos.spi.ResultApplication;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** R19 reads, per-entry results and leadership, on real PaxosNodes over LocalNetwork. */
class PaxosNodeReadTest {
  private static final List<Integer> MEMBERS = List.of(1, 2, 3);

  /** A register: each entry sets it; the result is the value it replaced. */
  static final class Register implements ResultApplication {
    // Written and read on the node's loop only.
    private String value = "";

    @Override
    public List<?> applyWithResults(long slot, Block block) {
      List<String> results = new ArrayList<>();
      for (Entry e : block.entries()) {
        results.add(value);
        value = new String(e.payload(), StandardCharsets.UTF_8);
      }
      return results;
    }

    String value() {
      return value;
    }
  }

  private final LocalNetwork network = new LocalNetwork();
  private final NetworkFaults faults = new NetworkFaults(3);
  private final List<PaxosNode> nodes = new ArrayList<>();
  private final List<Register> registers = new ArrayList<>();

  private void startCluster(PaxosNode.ReplicaFactory factoryOfNode3) {
    for (int id : MEMBERS) {
      Register r = new Register();
      registers.add(r);
      PaxosNode.Builder b =
          PaxosNode.builder(ReplicaConfig.builder(id, MEMBERS).trigger(RoundTrigger.AUTO).build())
              .transport(new FaultInjectingTransport(id, network.transport(id), faults))
              .store(new InMemoryStore())
              .application(r)
              .tickMillis(5)
              .bootstrap(true);
      if (id == 3 && factoryOfNode3 != null) {
        b.replicaFactory(factoryOfNode3);
      }
      nodes.add(b.build().start());
    }
  }

  @AfterEach
  void stop() {
    nodes.forEach(PaxosNode::close);
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  private PaxosNode node(int id) {
    return nodes.get(id - 1);
  }

  /** A write chosen by nodes 1 and 2 while node 3 hears nothing from them, then the links heal. */
  private void writeWhileNodeThreeHearsNothing(String value) throws Exception {
    faults.cut(1, 3);
    faults.cut(2, 3);
    SubmitHandle h = node(1).submit(value.getBytes(StandardCharsets.UTF_8));
    get(h.chosen());
    faults.heal();
  }

  @Test
  void aReadAfterAChosenWriteSeesItOnANodeThatMissedTheWrite() throws Exception {
    startCluster(null);
    writeWhileNodeThreeHearsNothing("x=1");
    Register three = registers.get(2);
    assertThat(get(node(3).read(three::value))).isEqualTo("x=1");
  }

  @Test
  void theBrokenVariantReadsStaleOnTheSameRun() throws Exception {
    startCluster((config, state, boot) -> BrokenRules.readingWithoutQuorum(config, state, boot));
    writeWhileNodeThreeHearsNothing("x=1");
    Register three = registers.get(2);
    assertThat(get(node(3).read(three::value))).isEmpty(); // stale: the write was chosen before
  }

  @Test
  void theSubmitterGetsItsEntrysResult() throws Exception {
    startCluster(null);
    assertThat(get(node(2).submit("a".getBytes(StandardCharsets.UTF_8)).result())).isEqualTo("");
    SubmitHandle h = node(1).submit("b".getBytes(StandardCharsets.UTF_8));
    assertThat(get(h.result())).isEqualTo("a");
    assertThat(h.chosen().isDone()).isTrue();
  }

  @Test
  void aPlainApplicationsResultIsNull() throws Exception {
    PaxosNode solo =
        PaxosNode.builder(ReplicaConfig.builder(1, List.of(1)).build())
            .transport(new LocalNetwork().transport(1))
            .store(new InMemoryStore())
            .application((slot, block) -> {})
            .tickMillis(5)
            .bootstrap(true)
            .build()
            .start();
    nodes.add(solo);
    SubmitHandle h = solo.submit(new byte[] {1});
    assertThat(get(h.result())).isNull();
    assertThat(get(solo.read(() -> "ok"))).isEqualTo("ok");
  }

  @Test
  void aReadQueryThatThrowsFailsOnlyItsFuture() throws Exception {
    startCluster(null);
    CompletableFuture<Object> f = node(1).read(() -> {
      throw new IllegalStateException("no such key");
    });
    assertThatThrownBy(() -> get(f)).isInstanceOf(ExecutionException.class)
        .hasRootCauseMessage("no such key");
    assertThat(get(node(1).read(() -> 1))).isEqualTo(1);
  }

  @Test
  void aReadOnACutOffNodeFailsInsteadOfReadingStale() throws Exception {
    startCluster(null);
    faults.disconnect(3);
    CompletableFuture<String> f = node(3).read(registers.get(2)::value);
    assertThatThrownBy(() -> get(f)).hasCauseInstanceOf(RoundFailedException.class);
  }

  @Test
  void leadershipIsReportedAndAnnounced() throws Exception {
    startCluster(null);
    CompletableFuture<Leadership> led = new CompletableFuture<>();
    for (PaxosNode n : nodes) {
      n.onLeadershipChange(l -> {
        if (l.role() == Leadership.Role.LEADER) {
          led.complete(l);
        }
      });
    }
    get(node(2).submit(new byte[] {1}).chosen());
    Leadership l = get(led);
    assertThat(l.leaderId()).isBetween(1, 3);
    PaxosNode leader = node(l.leaderId());
    assertThat(leader.leaderId()).hasValue(l.leaderId());
    assertThat(leader.leadership().promised().nodeId()).isEqualTo(l.leaderId());
    CompletableFuture<Leadership> stopped = new CompletableFuture<>();
    leader.onLeadershipChange(stopped::complete);
    leader.close();
    assertThat(get(stopped)).isEqualTo(Leadership.STOPPED);
    assertThat(leader.leaderId()).isEmpty();
  }
}
