package dev.modpaxos.bank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.modpaxos.bank.admin.BankAdminGrpc;
import dev.modpaxos.bank.admin.BankAdminGrpc.BankAdminBlockingStub;
import dev.modpaxos.bank.admin.ConnectRequest;
import dev.modpaxos.bank.admin.Empty;
import dev.modpaxos.bank.admin.TransferReply;
import dev.modpaxos.bank.admin.TransferRequest;
import dev.modpaxos.local.NetworkFaults;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Who may call a server's admin RPC: under TLS only the driver's certificate (a member's is refused
 * and changes nothing); in plaintext any local process, on loopback addresses only. Every call is
 * logged once with its caller. Real sockets on 127.0.0.1, one real {@link BankServer}.
 */
class AdminEndpointTest {
  @TempDir Path dir;
  private final NetworkFaults faults = new NetworkFaults(1);
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private final ch.qos.logback.classic.Logger admin =
      ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("dev.modpaxos.bank.admin");
  private Level levelBefore;
  private BankServer s1;
  private Server endpoint;

  @BeforeEach
  void startS1() {
    s1 = new BankServer(1, new LocalBackend(), faults, 10).foundingOnFirstStart();
    s1.recover();
    logged.setContext(admin.getLoggerContext());
    logged.start();
    admin.addAppender(logged);
    levelBefore = admin.getLevel();
    admin.setLevel(Level.INFO);
  }

  @AfterEach
  void stop() throws InterruptedException {
    admin.detachAppender(logged);
    admin.setLevel(levelBefore);
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (endpoint != null) {
      endpoint.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    s1.close();
  }

  @Test
  void underTlsAMembersCertificateIsRefusedForEveryCallAndNothingChanges() throws Exception {
    BankPki pki = BankPki.create(dir.resolve("tls"));
    endpoint = AdminEndpoint.start(loopback(), s1, pki, 1);
    BankAdminBlockingStub node2 = stub(pki, BankPki.nodeName(2));

    List<Runnable> calls = List.of(
        () -> node2.transfer(transfer(1, 1, 2, 10)),
        () -> node2.setConnected(ConnectRequest.newBuilder().setConnected(false).build()),
        () -> node2.crash(Empty.getDefaultInstance()),
        () -> node2.status(Empty.getDefaultInstance()));
    for (Runnable call : calls) {
      assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(e.getStatus().getDescription()).contains(
            "from node-2: admin calls need the driver certificate");
      });
    }
    assertThat(s1.isUp()).as("Crash was refused").isTrue();
    assertThat(faults.isDisconnected(1)).as("SetConnected was refused").isFalse();
    assertThat(s1.view().balance()).as("Transfer was refused").isEqualTo(100);
    assertThat(lines()).containsExactly(
        "WARN S1 refused admin Transfer from node-2: admin calls need the driver certificate",
        "WARN S1 refused admin SetConnected from node-2: admin calls need the driver certificate",
        "WARN S1 refused admin Crash from node-2: admin calls need the driver certificate",
        "WARN S1 refused admin Status from node-2: admin calls need the driver certificate");
  }

  @Test
  void underTlsTheDriverIsAdmittedAndEachCallIsLoggedWithItsCaller() throws Exception {
    BankPki pki = BankPki.create(dir.resolve("tls"));
    endpoint = AdminEndpoint.start(loopback(), s1, pki, 1);
    BankAdminBlockingStub driver = stub(pki, BankPki.DRIVER);

    assertThat(driver.transfer(transfer(7, 1, 2, 10)).getStatus())
        .isEqualTo(TransferReply.Status.EXECUTED);
    driver.setConnected(ConnectRequest.newBuilder().setConnected(false).build());
    assertThat(driver.status(Empty.getDefaultInstance()).getUp()).isTrue();
    assertThat(s1.view().balance()).isEqualTo(90);
    assertThat(faults.isDisconnected(1)).isTrue();
    assertThat(lines()).containsExactly(
        "INFO S1: admin Transfer from driver: id: 7, from: 1, to: 2, amount: 10",
        "INFO S1: admin SetConnected from driver: connected: false",
        "INFO S1: admin Status from driver");
  }

  @Test
  void inPlaintextEachCallIsLoggedWithTheLoopbackPeer() throws Exception {
    endpoint = AdminEndpoint.start(loopback(), s1, null, 1);
    ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", endpoint.getPort())
        .usePlaintext().build();
    channels.add(ch);
    BankAdminGrpc.newBlockingStub(ch)
        .setConnected(ConnectRequest.newBuilder().setConnected(false).build());
    assertThat(faults.isDisconnected(1)).isTrue();
    assertThat(lines()).singleElement().asString().matches(
        "INFO S1: admin SetConnected from plaintext loopback peer /127\\.0\\.0\\.1:\\d+:"
            + " connected: false");
  }

  @Test
  void plaintextServesLoopbackAddressesOnly() {
    InetSocketAddress lan = new InetSocketAddress("10.0.0.13", 7203);
    assertThatThrownBy(() -> AdminEndpoint.start(lan, s1, null, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("S1.admin = 10.0.0.13:7203 is not a loopback address: without TLS a server"
            + " serves this machine only; set tls.dir in the cluster file for mutual TLS");
    AdminEndpoint.requireLoopback("S1.paxos", new InetSocketAddress("127.0.0.1", 7101));
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static InetSocketAddress loopback() {
    return new InetSocketAddress("127.0.0.1", 0);
  }

  private BankAdminBlockingStub stub(BankPki pki, String certificate) throws Exception {
    ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", endpoint.getPort())
        .sslContext(GrpcSslContexts.forClient().trustManager(pki.caFile().toFile())
            .keyManager(pki.cert(certificate).toFile(), pki.key(certificate).toFile()).build())
        .overrideAuthority(BankPki.nodeName(1)).build();
    channels.add(ch);
    return BankAdminGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private static TransferRequest transfer(long id, int from, int to, long amount) {
    return TransferRequest.newBuilder().setId(id).setFrom(from).setTo(to).setAmount(amount).build();
  }

  private List<String> lines() {
    return logged.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
  }
}
