package dev.modpaxos.bank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A history whose view is larger than the driver's channel accepts. The real limit is gRPC's
 * 4 MiB, which only about 15,000 slots exceed; the test lowers both knobs instead: the driver's
 * channel takes at most {@value #CHANNEL_BYTES_MAX} bytes, and a View page holds at most
 * {@value #PAGE_ENTRIES} transfers. One unpaged answer (the old View) is then too large, and the
 * driver stops with one line naming RESOURCE_EXHAUSTED instead of reporting a dead server (before,
 * it returned a down view: "S1 unreachable"); paged, the driver gets every block.
 */
class BigHistoryViewTest {
  private static final int CHANNEL_BYTES_MAX = 8 * 1024;
  private static final int PAGE_ENTRIES = 10;
  private static final int TRANSFERS = 120; // one slot each, after the first

  private final List<Server> servers = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private Cluster cluster;

  @AfterEach
  void stop() throws InterruptedException {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    for (Server s : servers) {
      s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void theDriverPagesALongHistoryAndNeverTakesATooLargeAnswerForADeadServer() throws Exception {
    cluster = InJvmCluster.start(new LocalBackend(), 5, 5_000);
    BankServer s1 = (BankServer) cluster.server(1);
    BankServer s2 = (BankServer) cluster.server(2);
    // S1 and S2 send each other everything: each is short until a round brings in the other's
    // last transfer, so every transfer after the first runs a round and fills one slot.
    for (int i = 0; i < TRANSFERS; i++) {
      BankServer from = i % 2 == 0 ? s1 : s2;
      TransferResult r = from.transfer(
          new Transfer(i + 1, from.id(), 3 - from.id(), i == 0 ? 100 : 200));
      assertThat(r.status()).as("transfer %d: %s", i + 1, r.reason())
          .isEqualTo(TransferResult.Status.EXECUTED);
    }
    // S2 ran the last round: S1 applies its commit on its own time; wait for it (bounded).
    assertThat(s1.catchUpTo(s2.appliedSlot(), 10_000)).as("S1 catches up").isTrue();
    ServerView whole = s1.view();
    assertThat(whole.blocks()).hasSizeGreaterThanOrEqualTo(TRANSFERS - 1);
    assertThat(AdminService.JSON.writeValueAsBytes(whole).length)
        .as("the whole view is larger than the channel takes").isGreaterThan(CHANNEL_BYTES_MAX);

    RemoteServer unpaged = remote(s1, Integer.MAX_VALUE); // the old View: every block at once
    assertThatThrownBy(unpaged::view)
        .isInstanceOf(BankMain.UserError.class)
        .hasMessageStartingWith("S1 answered View with RESOURCE_EXHAUSTED: ")
        .hasMessageEndingWith(" (it is up, not down)")
        .hasMessageNotContaining("\n");

    ServerView paged = remote(s1, PAGE_ENTRIES).view();
    assertThat(paged.up()).isTrue();
    assertThat(paged.blocks()).isEqualTo(whole.blocks());
    assertThat(ServerView.chosenTransfers(paged)).isEqualTo(ServerView.chosenTransfers(whole));
    assertThat(paged.balanceMap()).isEqualTo(whole.balanceMap());
  }

  /** S1's admin service with pages of {@code pageEntries}, and a driver's handle with the small channel. */
  private RemoteServer remote(BankServer server, int pageEntries) throws Exception {
    Server admin = NettyServerBuilder.forAddress(new java.net.InetSocketAddress("127.0.0.1", 0))
        .addService(new AdminService(server, pageEntries)).build().start();
    servers.add(admin);
    ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", admin.getPort()).usePlaintext()
        .maxInboundMessageSize(CHANNEL_BYTES_MAX).build();
    channels.add(ch);
    return new RemoteServer(server.id(), ch);
  }
}
