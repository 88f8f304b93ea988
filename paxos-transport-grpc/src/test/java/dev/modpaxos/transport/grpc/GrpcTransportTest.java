package dev.modpaxos.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.Message;
import dev.modpaxos.spi.RpcStats;
import dev.modpaxos.transport.grpc.proto.PaxosGrpc;
import dev.modpaxos.transport.grpc.proto.Wire.Ack;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
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
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
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
    GrpcTransport t = b.deadlineMillis(2_000).reconnectMillis(100).build();
    started.add(t);
    t.start(inboxes.get(id)::add);
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
    one.send(big);
    awaitTrue(() -> stats(two, TransportStats.INVALID).errors() == 1, "node 2 counts the frame");
    awaitTrue(() -> stats(one, "FORWARD").errors() == 1, "node 1 counts the failed call");
    Message small = accepted(1, 2, 1);
    one.send(small);
    awaitTrue(() -> inboxes.get(2).contains(small), "node 2 still receives");
    assertThat(inboxes.get(2)).doesNotContain(big);
  }

  @Test
  void garbageOnTheWireIsRefusedCountedAndTheNodeKeepsWorking() {
    GrpcTransport one = start(GrpcTransport.builder(1, members), 1);
    GrpcTransport two = start(GrpcTransport.builder(2, members), 2);
    MethodDescriptor<byte[], Ack> raw =
        PaxosGrpc.getDeliverMethod().toBuilder(
                InboundService.RAW, ProtoUtils.marshaller(Ack.getDefaultInstance()))
            .build();
    ManagedChannel ch = NettyChannelBuilder.forAddress(members.get(1)).usePlaintext().build();
    try {
      for (byte[] frame : List.of(new byte[] {(byte) 0xff, (byte) 0xff, 1}, new byte[] {8, 9})) {
        assertThatThrownBy(
                () -> ClientCalls.blockingUnaryCall(
                    ch, raw, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), frame))
            .isInstanceOf(StatusRuntimeException.class)
            .satisfies(e -> assertThat(Status.fromThrowable(e).getCode())
                .isEqualTo(Status.Code.INVALID_ARGUMENT));
      }
    } finally {
      ch.shutdownNow();
    }
    assertThat(stats(one, TransportStats.INVALID).errors()).isEqualTo(2);
    Message ok = accepted(2, 1, 1);
    two.send(ok);
    awaitTrue(() -> inboxes.get(1).contains(ok), "node 1 still receives");
    assertThat(inboxes.get(1)).containsExactly(ok);
  }

  @Test
  void aMessageAddressedToAnotherNodeIsRefused() {
    GrpcTransport one = start(GrpcTransport.builder(1, members), 1);
    Map<Integer, InetSocketAddress> misrouted = new HashMap<>(members);
    misrouted.put(3, members.get(1)); // node 2 believes node 3 lives at node 1's address
    GrpcTransport two = start(GrpcTransport.builder(2, misrouted), 2);
    two.send(accepted(2, 3, 1));
    awaitTrue(() -> stats(one, "ACCEPTED").errors() == 1, "node 1 refuses it");
    assertThat(inboxes.get(1)).isEmpty();
  }

  @Test
  void aPeerCertifiedByAnotherAuthorityCannotConnect() {
    TestPki cluster = new TestPki(dir, "cluster");
    TestPki rogue = new TestPki(dir, "rogue");
    GrpcTransport one = start(GrpcTransport.builder(1, members).tls(cluster.node(1)), 1);
    GrpcTransport two = start(GrpcTransport.builder(2, members).tls(cluster.node(2)), 2);
    GrpcTransport three = start(GrpcTransport.builder(3, members).tls(rogue.node(3)), 3);
    three.send(accepted(3, 1, 1));
    awaitTrue(() -> stats(three, "ACCEPTED").errors() == 1, "node 3's call fails");
    Message ok = accepted(2, 1, 2);
    two.send(ok);
    awaitTrue(() -> inboxes.get(1).contains(ok), "node 1 still receives from node 2");
    assertThat(inboxes.get(1)).containsExactly(ok);
    assertThat(stats(one, "ACCEPTED").received()).isEqualTo(1);
  }

  @Test
  void aServerWhoseCertificateNamesAnotherMemberIsNotTrusted() {
    TestPki cluster = new TestPki(dir, "cluster");
    start(GrpcTransport.builder(1, members).tls(cluster.node(3)), 1); // node 1 shows node 3's name
    GrpcTransport two = start(GrpcTransport.builder(2, members).tls(cluster.node(2)), 2);
    two.send(accepted(2, 1, 1));
    awaitTrue(() -> stats(two, "ACCEPTED").errors() == 1, "node 2 refuses to talk to it");
    assertThat(inboxes.get(1)).isEmpty();
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
  void statsCountSendsDeliveriesAndLatency() {
    GrpcTransport one = start(GrpcTransport.builder(1, members), 1);
    GrpcTransport two = start(GrpcTransport.builder(2, members), 2);
    for (int i = 1; i <= 20; i++) {
      one.send(accepted(1, 2, i));
    }
    awaitTrue(() -> stats(one, "ACCEPTED").latencyMicrosP99() > 0, "calls complete");
    awaitTrue(() -> stats(two, "ACCEPTED").received() == 20, "node 2 receives 20");
    RpcStats sent = stats(one, "ACCEPTED");
    assertThat(sent.sent()).isEqualTo(20);
    assertThat(sent.errors()).isZero();
    assertThat(sent.latencyMicrosP50()).isPositive().isLessThanOrEqualTo(sent.latencyMicrosP99());
    assertThat(one.rpcStats()).extracting(RpcStats::type).contains("PREPARE", "FORWARD", "INVALID");
  }

  @Test
  void startFailsClearlyWhenTheAddressIsTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      members.put(1, new InetSocketAddress(InetAddress.getLoopbackAddress(), taken.getLocalPort()));
      GrpcTransport t = GrpcTransport.builder(1, members).build();
      assertThatThrownBy(() -> t.start(m -> {}))
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
    assertThatThrownBy(() -> GrpcTransport.builder(1, members).keepAlive(1_000, 1_000))
        .hasMessageContaining("keepAlive timeMillis must be >= 10000");
    assertThatThrownBy(() -> GrpcTransport.builder(1, members)
            .tls(new TlsConfig(dir.resolve("ca.pem"), dir.resolve("c.pem"), dir.resolve("k.pem"))))
        .hasMessageContaining("TLS file not readable");
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static int idOf(TlsConfig tls) throws Exception {
    try (InputStream in = Files.newInputStream(tls.certChainFile())) {
      return MemberAuthorizer.memberIdOf(
          (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
  }

  @Test
  void aSendRedialsAPeerWhoseFirstDialWasRefused() {
    // The reconnect timer is far off and gRPC's own back-off lasts about a second, longer than
    // the call's deadline: only the send itself redialling gets the second message through.
    GrpcTransport one =
        GrpcTransport.builder(1, members).deadlineMillis(200).reconnectMillis(60_000).build();
    started.add(one);
    one.start(inboxes.get(1)::add);
    one.send(accepted(1, 2, 1)); // node 2 is not up yet: the dial is refused, the channel backs off
    awaitTrue(() -> stats(one, "ACCEPTED").errors() == 1, "the first call fails");
    start(GrpcTransport.builder(2, members), 2);
    Message late = accepted(1, 2, 2);
    one.send(late);
    awaitTrue(() -> inboxes.get(2).contains(late), "node 2 receives the next message");
  }

  private static Message accepted(int from, int to, long slot) {
    return new Message.Accepted(from, to, new Ballot(1, from), slot);
  }

  private static RpcStats stats(GrpcTransport t, String type) {
    return t.rpcStats().stream().filter(s -> s.type().equals(type)).findFirst().orElseThrow();
  }

  private static void awaitTrue(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    assertThat(condition.getAsBoolean()).as(what).isTrue();
  }
}
