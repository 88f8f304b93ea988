package dev.modpaxos.transport.grpc;

import static dev.modpaxos.transport.grpc.Polling.STAMP;
import static dev.modpaxos.transport.grpc.Polling.accepted;
import static dev.modpaxos.transport.grpc.Polling.awaitTrue;
import static dev.modpaxos.transport.grpc.Polling.counter;
import static dev.modpaxos.transport.grpc.Polling.stats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.Message;
import dev.modpaxos.spi.RpcStats;
import io.grpc.ConnectivityState;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What only the gRPC transport does: wire-level rejections, certificates, stats, settings. */
class GrpcTransportTest {
  @TempDir Path dir;
  private final Map<Integer, InetSocketAddress> members = new HashMap<>();
  private final Map<Integer, ConcurrentLinkedQueue<Message>> inboxes = new HashMap<>();
  private final List<GrpcTransport> started = new ArrayList<>();

  GrpcTransportTest() {
    for (int id = 1; id <= 3; id++) {
      members.put(id, Ports.freeLoopback());
      inboxes.put(id, new ConcurrentLinkedQueue<>());
    }
  }

  private GrpcTransport start(GrpcTransport.Builder b, int id) {
    GrpcTransport t = b.reconnectBackoffMillis(10, 100).build();
    started.add(t);
    t.start((stamp, m) -> inboxes.get(id).add(m));
    return t;
  }

  @AfterEach
  void closeAll() {
    started.forEach(GrpcTransport::close);
  }

  @Test
  void aFrameOverTheReceiversLimitIsRefusedCountedAndTheNodeKeepsWorking() {
    GrpcTransport one = start(GrpcTransport.builder(1, members), 1);
    GrpcTransport two = start(GrpcTransport.builder(2, members).maxInboundMessageBytes(1024), 2);
    Message big = new Message.Forward(1, 2, List.of(new Entry(1, 1, new byte[4096])));
    one.send(STAMP, big);
    awaitTrue(() -> stats(two, TransportStats.INVALID).errors() == 1, "node 2 counts the frame");
    assertThat(counter(two, TransportCounter.REJECTED_OVERSIZED)).isEqualTo(1);
    // gRPC ends a stream that carried too large a frame; the sender sees it and re-opens.
    awaitTrue(() -> counter(one, TransportCounter.STREAM_FAILURES) >= 1, "node 1's stream ends");
    Message small = accepted(1, 2, 1);
    one.send(STAMP, small);
    awaitTrue(() -> inboxes.get(2).contains(small), "node 2 still receives");
    assertThat(inboxes.get(2)).doesNotContain(big);
  }

  @Test
  void aMessageAddressedToAnotherNodeIsRefused() {
    GrpcTransport one = start(GrpcTransport.builder(1, members), 1);
    Map<Integer, InetSocketAddress> misrouted = new HashMap<>(members);
    misrouted.put(3, members.get(1)); // node 2 believes node 3 lives at node 1's address
    misrouted.put(1, Ports.freeLoopback()); // (and node 1 elsewhere: addresses must be distinct)
    GrpcTransport two = start(GrpcTransport.builder(2, misrouted), 2);
    two.send(STAMP, accepted(2, 3, 1));
    awaitTrue(() -> stats(one, "ACCEPTED").errors() == 1, "node 1 refuses it");
    assertThat(counter(one, TransportCounter.REJECTED_MISADDRESSED)).isEqualTo(1);
    assertThat(inboxes.get(1)).isEmpty();
  }

  @Test
  void aPeerCertifiedByAnotherAuthorityCannotConnect() {
    TestPki cluster = new TestPki(dir, "cluster");
    TestPki rogue = new TestPki(dir, "rogue");
    GrpcTransport one = start(GrpcTransport.builder(1, members).tls(cluster.node(1)), 1);
    GrpcTransport two = start(GrpcTransport.builder(2, members).tls(cluster.node(2)), 2);
    GrpcTransport three = start(GrpcTransport.builder(3, members).tls(rogue.node(3)), 3);
    three.send(STAMP, accepted(3, 1, 1));
    awaitTrue(() -> stats(three, "ACCEPTED").errors() == 1, "node 3 cannot connect and drops it");
    assertThat(counter(three, TransportCounter.DROPPED_UNREACHABLE)).isEqualTo(1);
    Message ok = accepted(2, 1, 2);
    two.send(STAMP, ok);
    awaitTrue(() -> inboxes.get(1).contains(ok), "node 1 still receives from node 2");
    assertThat(inboxes.get(1)).containsExactly(ok);
    assertThat(stats(one, "ACCEPTED").received()).isEqualTo(1);
  }

  @Test
  void aServerWhoseCertificateNamesAnotherMemberIsNotTrusted() {
    TestPki cluster = new TestPki(dir, "cluster");
    start(GrpcTransport.builder(1, members).tls(cluster.node(3)), 1); // node 1 shows node 3's name
    GrpcTransport two = start(GrpcTransport.builder(2, members).tls(cluster.node(2)), 2);
    two.send(STAMP, accepted(2, 1, 1));
    awaitTrue(() -> stats(two, "ACCEPTED").errors() == 1, "node 2 refuses to talk to it");
    assertThat(inboxes.get(1)).isEmpty();
    assertThat(counter(two, TransportCounter.STREAMS_OPENED)).isZero();
  }

  @Test
  void theMemberIdComesFromTheDnsNameOrElseTheCommonName() throws Exception {
    TestPki pki = new TestPki(dir, "ids");
    assertThat(idOf(pki.certificate("node-4", "node-4"))).isEqualTo(4);
    assertThat(idOf(pki.certificate("node-5"))).isEqualTo(5);
    assertThat(idOf(pki.certificate("somebody", "host.example", "node-6"))).isEqualTo(6);
    assertThat(idOf(pki.certificate("node-1", "node-2"))).isEqualTo(2); // SANs win over the CN
    assertThat(idOf(pki.certificate("somebody", "node-0", "node-x"))).isEqualTo(-1);
    TlsConfig two = pki.certificate("x", "node-1", "node-2");
    assertThatThrownBy(() -> idOf(two)).hasMessageContaining("several members [1, 2]");
  }

  @Test
  void inboundMessagesReachTheHandlerOnTheEventLoopByDefaultAndOnThePoolWithThreads() {
    Map<Integer, ConcurrentLinkedQueue<String>> threads = new HashMap<>();
    for (int id = 1; id <= 3; id++) {
      ConcurrentLinkedQueue<String> names = new ConcurrentLinkedQueue<>();
      threads.put(id, names);
      GrpcTransport.Builder b = GrpcTransport.builder(id, members).reconnectBackoffMillis(10, 100);
      GrpcTransport t = (id == 3 ? b.threads(2) : b).build();
      started.add(t);
      t.start((stamp, m) -> names.add(Thread.currentThread().getName()));
    }
    GrpcTransport one = started.get(0);
    for (int i = 1; i <= 5; i++) {
      one.send(STAMP, accepted(1, 2, i));
      one.send(STAMP, accepted(1, 3, i));
    }
    awaitTrue(() -> threads.get(2).size() == 5 && threads.get(3).size() == 5,
        "nodes 2 and 3 receive 5 each");
    assertThat(threads.get(2)).as("default: no hand-off from the event loop that read them")
        .allMatch(n -> n.startsWith("grpc-") && !n.startsWith("modpaxos-grpc-"));
    assertThat(threads.get(3)).as("threads(2): the transport's pool")
        .allMatch(n -> n.startsWith("modpaxos-grpc-3"));
  }

  @Test
  void statsCountSendsDeliveriesBatchesAndQueueWaits() {
    GrpcTransport one = start(GrpcTransport.builder(1, members), 1);
    GrpcTransport two = start(GrpcTransport.builder(2, members), 2);
    for (int i = 1; i <= 20; i++) {
      one.send(STAMP, accepted(1, 2, i));
    }
    awaitTrue(() -> stats(two, "ACCEPTED").received() == 20, "node 2 receives 20");
    RpcStats sent = stats(one, "ACCEPTED");
    assertThat(sent.sent()).isEqualTo(20);
    assertThat(sent.errors()).isZero();
    assertThat(sent.latencyMicrosP50()).isLessThanOrEqualTo(sent.latencyMicrosP99());
    assertThat(counter(one, TransportCounter.BATCHES_SENT)).isBetween(1L, 20L);
    assertThat(counter(two, TransportCounter.BATCHES_RECEIVED))
        .isEqualTo(counter(one, TransportCounter.BATCHES_SENT));
    assertThat(counter(one, TransportCounter.STREAMS_OPENED)).isEqualTo(1);
    assertThat(one.rpcStats()).extracting(RpcStats::type).contains("PREPARE", "FORWARD", "INVALID");
    assertThat(one.counters()).containsOnlyKeys(TransportCounter.values());
  }

  @Test
  void startFailsClearlyWhenTheAddressIsTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      members.put(1, new InetSocketAddress(InetAddress.getLoopbackAddress(), taken.getLocalPort()));
      GrpcTransport t = GrpcTransport.builder(1, members).build();
      assertThatThrownBy(() -> t.start((stamp, m) -> {}))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("node 1: cannot listen on");
      t.close();
    }
  }

  @Test
  void aBadConfigurationIsRefusedWhenBuilt() {
    assertThatThrownBy(() -> GrpcTransport.builder(9, members))
        .hasMessageContaining("node 9 is not in members");
    members.put(4, new InetSocketAddress(7004)); // the wildcard address
    assertThatThrownBy(() -> GrpcTransport.builder(1, members))
        .hasMessageContaining("member 4 address");
    members.remove(4);
    members.put(4, members.get(2)); // two members on one host:port
    assertThatThrownBy(() -> GrpcTransport.builder(1, members))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("members 2 and 4 have the same address " + members.get(2)
            + ": every member needs its own host:port");
    members.remove(4);
    assertThatThrownBy(() -> GrpcTransport.builder(1, members).keepAlive(1_000, 1_000))
        .hasMessageContaining("keepAlive timeMillis must be >= 10000");
    assertThatThrownBy(() -> GrpcTransport.builder(1, members).reconnectBackoffMillis(100, 10))
        .hasMessageContaining("reconnect maxMillis 10 is below initialMillis 100");
    assertThatThrownBy(() -> GrpcTransport.builder(1, members).threads(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("threads must be >= 0, got -1");
    assertThatThrownBy(() -> GrpcTransport.builder(1, members).queueMax(8, 1024).build())
        .hasMessageContaining("queueMax bytesMax 1024 is below maxInboundMessageBytes");
    assertThatThrownBy(() -> GrpcTransport.builder(1, members)
            .tls(new TlsConfig(dir.resolve("ca.pem"), dir.resolve("c.pem"), dir.resolve("k.pem"))))
        .hasMessageContaining("TLS file not readable");
  }

  @Test
  void aPeerThatReachesUsIsRedialledAtOnceWhateverTheBackoff() {
    // Node 1 dials only every minute: hearing from node 2 must cut that short.
    GrpcTransport one = GrpcTransport.builder(1, members)
        .reconnectBackoffMillis(60_000, 60_000).build();
    started.add(one);
    one.start((stamp, m) -> inboxes.get(1).add(m));
    awaitTrue(() -> one.channelState(2) == ConnectivityState.TRANSIENT_FAILURE,
        "node 1 finds node 2 down");
    GrpcTransport two = start(GrpcTransport.builder(2, members), 2);
    two.send(STAMP, accepted(2, 1, 1));
    awaitTrue(() -> counter(one, TransportCounter.STREAMS_OPENED) == 1, "node 1 reaches node 2");
    assertThat(counter(one, TransportCounter.REDIALS_ON_CONTACT)).isEqualTo(1);
    Message late = accepted(1, 2, 2);
    one.send(STAMP, late);
    awaitTrue(() -> inboxes.get(2).contains(late), "node 2 receives from node 1");
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static int idOf(TlsConfig tls) throws Exception {
    try (InputStream in = Files.newInputStream(tls.certChainFile())) {
      return MemberAuthorizer.memberIdOf(
          (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
  }
}
