package dev.modpaxos.metrics.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.local.InMemoryStore;
import dev.modpaxos.local.LocalNetwork;
import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.protocol.RoundTrigger;
import dev.modpaxos.protocol.Stamp;
import dev.modpaxos.runtime.PaxosNode;
import dev.modpaxos.runtime.SubmitHandle;
import dev.modpaxos.spi.Transport;
import dev.modpaxos.spi.RpcStats;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PaxosNodeMetricsTest {
  private final LocalNetwork network = new LocalNetwork();
  private final List<PaxosNode> nodes = new ArrayList<>();
  // What node 1's transport delivers into, to hand it a message of another cluster.
  private volatile Transport.Inbound nodeOneInbound;

  /** Three nodes; node 1's transport reports fixed per-type stats, as the gRPC one does. */
  private void startCluster() {
    for (int id = 1; id <= 3; id++) {
      Transport t = network.transport(id);
      PaxosNode n = PaxosNode.builder(ReplicaConfig.builder(id, List.of(1, 2, 3))
              .trigger(RoundTrigger.ON_DEMAND).build())
          .transport(id == 1 ? withStats(t) : t)
          .store(new InMemoryStore())
          .application((slot, block) -> {})
          .tickMillis(5)
          .bootstrap(true)
          .build()
          .start();
      nodes.add(n);
    }
  }

  private Transport withStats(Transport inner) {
    return new Transport() {
      @Override
      public void start(Inbound inbound) {
        nodeOneInbound = inbound;
        inner.start(inbound);
      }

      @Override
      public void send(Stamp stamp, Message message) {
        inner.send(stamp, message);
      }

      @Override
      public List<RpcStats> rpcStats() {
        return List.of(new RpcStats("PREPARE", 7, 0, 1, 250.0, 200, 900));
      }

      @Override
      public void close() {
        inner.close();
      }
    };
  }

  @AfterEach
  void stop() {
    nodes.forEach(PaxosNode::close);
  }

  /** Node 1 logs four entries and runs one round that chooses them all. */
  private PaxosNode oneRoundOfFourEntries() throws Exception {
    startCluster();
    PaxosNode n1 = nodes.get(0);
    List<SubmitHandle> handles = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      SubmitHandle h = n1.submit(new byte[] {(byte) i});
      h.durable().get(5, TimeUnit.SECONDS);
      handles.add(h);
    }
    n1.runRound().get(10, TimeUnit.SECONDS);
    for (SubmitHandle h : handles) {
      assertThat(h.chosen().get(10, TimeUnit.SECONDS)).isEqualTo(1L);
    }
    return n1;
  }

  private static PaxosNodeMetrics fresh(PaxosNode n) {
    return new PaxosNodeMetrics(n.nodeId(), () -> n, Tags.empty(), 0);
  }

  @Test
  void aRoundShowsUpInEveryMeterWithItsTags() throws Exception {
    PaxosNode n1 = oneRoundOfFourEntries();
    MeterRegistry r = new SimpleMeterRegistry();
    fresh(n1).bindTo(r);

    assertThat(r.get("modpaxos.node.up").tag("node", "1").gauge().value()).isEqualTo(1);
    assertThat(r.get("modpaxos.committed.slot").gauge().value()).isEqualTo(1);
    assertThat(r.get("modpaxos.entries.chosen").functionCounter().count()).isEqualTo(4);
    assertThat(r.get("modpaxos.block.entries.mean").gauge().value()).isEqualTo(4);
    assertThat(r.get("modpaxos.local.log.size").gauge().value()).isZero();
    assertThat(r.get("modpaxos.submits.in.flight").gauge().value()).isZero();
    assertThat(r.get("modpaxos.rounds").tags("outcome", "started", "phase", "prepare")
        .functionCounter().count()).isEqualTo(1);
    assertThat(r.get("modpaxos.rounds").tags("outcome", "won").functionCounter().count())
        .isEqualTo(1);
    assertThat(r.get("modpaxos.rounds").tags("outcome", "committed").functionCounter().count())
        .isEqualTo(1);
    assertThat(r.get("modpaxos.rounds").tags("outcome", "lost").functionCounter().count())
        .isZero();
    assertThat(r.get("modpaxos.messages").tags("type", "PREPARE", "direction", "sent")
        .functionCounter().count()).isEqualTo(2);
    assertThat(r.get("modpaxos.messages").tags("type", "PROMISE", "direction", "received")
        .functionCounter().count()).isEqualTo(2);
    assertThat(r.get("modpaxos.commit.latency").functionTimer().count()).isEqualTo(4);
    assertThat(r.get("modpaxos.commit.latency").functionTimer().totalTime(TimeUnit.NANOSECONDS))
        .isPositive();
    assertThat(r.get("modpaxos.commit.latency.percentile").tag("percentile", "p99").timeGauge()
        .value(TimeUnit.MICROSECONDS)).isEqualTo(n1.metrics().commitLatency().p99Micros());
    assertThat(r.get("modpaxos.round.latency").functionTimer().count()).isEqualTo(1);

    // The transport's own stats, by type; NaN for the types it keeps nothing about.
    assertThat(r.get("modpaxos.rpc.messages").tags("type", "PREPARE", "direction", "sent")
        .functionCounter().count()).isEqualTo(7);
    assertThat(r.get("modpaxos.rpc.errors").tag("type", "PREPARE").functionCounter().count())
        .isEqualTo(1);
    assertThat(r.get("modpaxos.rpc.latency").tag("type", "PREPARE").functionTimer()
        .mean(TimeUnit.MICROSECONDS)).isEqualTo(250.0);
    assertThat(r.get("modpaxos.rpc.latency.percentile").tags("type", "PREPARE",
        "percentile", "p99").timeGauge().value(TimeUnit.MICROSECONDS)).isEqualTo(900);
    assertThat(r.get("modpaxos.rpc.errors").tag("type", "COMMIT").functionCounter().count())
        .isNaN();
  }

  /** A one-node cluster whose application snapshots (R20): every slot is a snapshot. */
  @Test
  void snapshotsTakenAreCountedByOutcome() throws Exception {
    PaxosNode solo = PaxosNode.builder(ReplicaConfig.builder(1, List.of(1)).build())
        .transport(network.transport(1))
        .store(new InMemoryStore())
        .application(new dev.modpaxos.spi.SnapshotApplication() {
          @Override
          public void apply(long slot, dev.modpaxos.protocol.Block block) {}

          @Override
          public SnapshotWriter snapshot(long slot) {
            return out -> out.write(1);
          }

          @Override
          public void restore(long slot, java.io.InputStream in) {}
        })
        .snapshotEverySlots(1)
        .tickMillis(5)
        .bootstrap(true)
        .build()
        .start();
    nodes.add(solo);
    for (int i = 0; i < 3; i++) {
      solo.submit(new byte[] {(byte) i}).chosen().get(10, TimeUnit.SECONDS);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20); // written off the loop
    while (solo.snapshotCounts().taken() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    MeterRegistry r = new SimpleMeterRegistry();
    fresh(solo).bindTo(r);
    assertThat(r.get("modpaxos.snapshots").tag("outcome", "taken").functionCounter().count())
        .isEqualTo(solo.snapshotCounts().taken()).isPositive();
    assertThat(r.get("modpaxos.snapshots").tag("outcome", "installed").functionCounter().count())
        .isZero();
    assertThat(r.get("modpaxos.snapshots").tag("outcome", "discarded").functionCounter().count())
        .isZero();
  }

  @Test
  void aMessageOfAnotherClusterIsCountedAsRejected() throws Exception {
    PaxosNode n1 = oneRoundOfFourEntries();
    MeterRegistry r = new SimpleMeterRegistry();
    fresh(n1).bindTo(r);
    assertThat(r.get("modpaxos.rejected.foreign").functionCounter().count()).isZero();
    Stamp foreign = new Stamp(Stamp.clusterFingerprint("another", List.of(1, 2, 3)), 0);
    nodeOneInbound.deliver(foreign, new Message.Prepare(2, 1, new Ballot(99, 2), 0));
    assertThat(n1.metrics().rejectedForeign()).isEqualTo(1); // queued after the delivery
    assertThat(r.get("modpaxos.rejected.foreign").functionCounter().count()).isEqualTo(1);
    assertThat(n1.metrics().messagesReceived().get("PREPARE")).isZero();
    assertThat(n1.leadership().promised()).isNotEqualTo(new Ballot(99, 2));
  }

  @Test
  void aFollowerCountsWhatItAnswered() throws Exception {
    oneRoundOfFourEntries();
    MeterRegistry r = new SimpleMeterRegistry();
    fresh(nodes.get(1)).bindTo(r);
    assertThat(r.get("modpaxos.messages").tags("node", "2", "type", "PROMISE", "direction",
        "sent").functionCounter().count()).isEqualTo(1);
    assertThat(r.get("modpaxos.rounds").tags("outcome", "started", "phase", "prepare")
        .functionCounter().count()).isZero();
  }

  @Test
  void aStoppedNodeReadsDownWithItsLastCountsAndNoGauges() throws Exception {
    PaxosNode n1 = oneRoundOfFourEntries();
    MeterRegistry r = new SimpleMeterRegistry();
    fresh(n1).bindTo(r);
    assertThat(r.get("modpaxos.entries.chosen").functionCounter().count()).isEqualTo(4);
    n1.close();
    assertThat(r.get("modpaxos.node.up").gauge().value()).isZero();
    assertThat(r.get("modpaxos.committed.slot").gauge().value()).isNaN();
    assertThat(r.get("modpaxos.entries.chosen").functionCounter().count()).isEqualTo(4);
  }

  @Test
  void aNodeNeverStartedReadsDownAndZero() {
    MeterRegistry r = new SimpleMeterRegistry();
    new PaxosNodeMetrics(5, () -> null, Tags.empty(), 0).bindTo(r);
    assertThat(r.get("modpaxos.node.up").tag("node", "5").gauge().value()).isZero();
    assertThat(r.get("modpaxos.rounds").tags("outcome", "won").functionCounter().count())
        .isZero();
  }

  @Test
  void aPrometheusScrapeListsTheMetricsWithTheirTags() throws Exception {
    PaxosNode n1 = oneRoundOfFourEntries();
    PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    PaxosNodeMetrics.of(n1).withTags(Tags.of("cluster", "test")).bindTo(r);
    String text = r.scrape();
    assertThat(text)
        .contains("modpaxos_rounds_total{cluster=\"test\",node=\"1\",outcome=\"won\","
            + "phase=\"prepare\"} 1.0")
        .contains("modpaxos_messages_total{cluster=\"test\",direction=\"sent\",node=\"1\","
            + "type=\"PREPARE\"} 2.0")
        .contains("modpaxos_commit_latency_seconds_count{cluster=\"test\",node=\"1\"} 4")
        .contains("modpaxos_commit_latency_percentile_seconds{cluster=\"test\",node=\"1\","
            + "percentile=\"p99\"}")
        .contains("modpaxos_committed_slot{cluster=\"test\",node=\"1\"} 1.0")
        .contains("modpaxos_node_up{cluster=\"test\",node=\"1\"} 1.0");
  }
}
