package dev.modpaxos.bank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modpaxos.bank.admin.BankAdminGrpc;
import dev.modpaxos.bank.admin.BankAdminGrpc.BankAdminBlockingStub;
import dev.modpaxos.bank.admin.ConnectRequest;
import dev.modpaxos.bank.admin.Empty;
import dev.modpaxos.bank.admin.FaultsRequest;
import dev.modpaxos.bank.admin.TransferReply;
import dev.modpaxos.bank.admin.TransferRequest;
import dev.modpaxos.local.InMemoryStore;
import dev.modpaxos.local.NetworkFaults;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The admin call SetFaults ({@code bank server --fault-injection}): refused without the option;
 * a bad request changes nothing; a good one replaces every fault before it, composes with
 * SetConnected, and reaches the store. Real sockets on 127.0.0.1, one real {@link BankServer}.
 */
class SetFaultsTest {
  private final NetworkFaults network = new NetworkFaults(1);
  private final FaultInjection faults = new FaultInjection(1, network);
  private final LocalBackend backend = new LocalBackend();
  private BankServer s1;
  private Server endpoint;
  private ManagedChannel channel;

  private BankAdminBlockingStub start(boolean faultInjection) throws Exception {
    s1 = new BankServer(1, faultInjection ? faults.wrap(backend) : backend, network, 10)
        .foundingOnFirstStart();
    s1.recover();
    endpoint = AdminEndpoint.start(new InetSocketAddress("127.0.0.1", 0), s1, null, 1,
        faultInjection ? faults : null);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", endpoint.getPort()).usePlaintext()
        .build();
    return BankAdminGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (endpoint != null) {
      endpoint.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (s1 != null) {
      s1.close();
    }
  }

  @Test
  void withoutTheOptionSetFaultsIsRefusedAndChangesNothing() throws Exception {
    BankAdminBlockingStub admin = start(false);
    assertThatThrownBy(() -> admin.setFaults(FaultsRequest.newBuilder().addDropTo(2).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getStatus().getDescription()).isEqualTo("S1 was not started with"
              + " --fault-injection: SetFaults is for the chaos harness only");
        });
    assertThat(network.isCut(1, 2)).isFalse();
  }

  @Test
  void aRequestReplacesEveryFaultBeforeItAndAnEmptyOneHeals() throws Exception {
    BankAdminBlockingStub admin = start(true);
    admin.setFaults(FaultsRequest.newBuilder().addDropTo(2).addDropFrom(3).setLoss(0.25)
        .setDuplicate(0.5).setDelayMaxMillis(40).setSlowSyncMillis(20).setFailSyncs(0).build());
    assertThat(network.isCut(1, 2)).isTrue();
    assertThat(network.isCut(3, 1)).isTrue();
    assertThat(network.isCut(2, 1)).isFalse();
    assertThat(network.dropProbability()).isEqualTo(0.25);
    assertThat(network.duplicateProbability()).isEqualTo(0.5);
    assertThat(network.delayMillisMax()).isEqualTo(40);
    assertThat(faults.disk().slowSyncMillis()).isEqualTo(20);

    admin.setFaults(FaultsRequest.newBuilder().addDropFrom(4).build());
    assertThat(network.isCut(1, 2)).as("replaced").isFalse();
    assertThat(network.isCut(3, 1)).as("replaced").isFalse();
    assertThat(network.isCut(4, 1)).isTrue();
    assertThat(network.dropProbability()).isZero();
    assertThat(faults.disk().slowSyncMillis()).isZero();

    admin.setFaults(FaultsRequest.getDefaultInstance());
    assertThat(network.isCut(4, 1)).isFalse();
  }

  @Test
  void aBadRequestIsRefusedInOneLineAndChangesNothing() throws Exception {
    BankAdminBlockingStub admin = start(true);
    admin.setFaults(FaultsRequest.newBuilder().addDropTo(2).setLoss(0.1).build());
    FaultsRequest[] bad = {
      FaultsRequest.newBuilder().addDropTo(3).setLoss(1.5).build(),
      FaultsRequest.newBuilder().addDropTo(3).setDuplicate(-0.1).build(),
      FaultsRequest.newBuilder().addDropTo(3).setLoss(Double.NaN).build(),
      FaultsRequest.newBuilder().addDropTo(9).build(),
      FaultsRequest.newBuilder().addDropFrom(0).build(),
      FaultsRequest.newBuilder().addDropTo(3).setDelayMaxMillis(10_001).build(),
      FaultsRequest.newBuilder().addDropTo(3).setSlowSyncMillis(10_001).build(),
      FaultsRequest.newBuilder().addDropTo(3).setFailSyncs(-1).build(),
    };
    String[] reasons = {
      "loss must be in [0, 1], got 1.5",
      "duplicate must be in [0, 1], got -0.1",
      "loss must be in [0, 1], got NaN",
      "drop_to names no server 9 (servers are 1..5)",
      "drop_from names no server 0 (servers are 1..5)",
      "delay_max_millis must be at most 10000, got 10001",
      "slow_sync_millis must be at most 10000, got 10001",
      "fail_syncs must be at most 1000000, got 4294967295",
    };
    for (int i = 0; i < bad.length; i++) {
      FaultsRequest r = bad[i];
      String reason = reasons[i];
      assertThatThrownBy(() -> admin.setFaults(r))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).isEqualTo(reason);
          });
    }
    assertThat(network.isCut(1, 2)).isTrue();
    assertThat(network.isCut(1, 3)).isFalse();
    assertThat(network.dropProbability()).isEqualTo(0.1);
    assertThat(faults.disk().syncsToFail()).isZero();
  }

  @Test
  void setFaultsAndSetConnectedComposeWithoutUndoingEachOther() throws Exception {
    BankAdminBlockingStub admin = start(true);
    admin.setConnected(ConnectRequest.newBuilder().setConnected(false).build());
    admin.setFaults(FaultsRequest.newBuilder().addDropTo(2).build());
    admin.setFaults(FaultsRequest.getDefaultInstance());
    assertThat(network.isDisconnected(1)).as("an empty SetFaults keeps the disconnect").isTrue();
    admin.setFaults(FaultsRequest.newBuilder().addDropTo(2).build());
    admin.setConnected(ConnectRequest.newBuilder().setConnected(true).build());
    assertThat(network.isDisconnected(1)).isFalse();
    assertThat(network.isCut(1, 2)).as("reconnecting keeps the cut").isTrue();
  }

  @Test
  void aFailedSyncStopsTheNodeAndTheTransferIsNotAcknowledged() throws Exception {
    BankAdminBlockingStub admin = start(true);
    assertThat(admin.transfer(transfer(1, 10)).getStatus())
        .isEqualTo(TransferReply.Status.EXECUTED);
    admin.setFaults(FaultsRequest.newBuilder().setFailSyncs(1).build());
    TransferReply failed = admin.transfer(transfer(2, 20));
    assertThat(failed.getStatus()).isEqualTo(TransferReply.Status.UNDELIVERED);
    assertThat(failed.getReason()).isEqualTo("S1 went down");
    assertThat(admin.status(Empty.getDefaultInstance()).getUp()).isFalse();
    assertThat(faults.disk().failedSyncs()).isEqualTo(1);
    // A kill -9 now keeps what was synced, the first transfer, and may lose the second: its
    // entry was written but never synced (here the crash loses it).
    assertThat(((InMemoryStore) backend.openStore(1)).crash()).isPositive();
    s1.recover();
    assertThat(s1.view().balance()).isEqualTo(90);
  }

  private static TransferRequest transfer(long id, long amount) {
    return TransferRequest.newBuilder().setId(id).setFrom(1).setTo(2).setAmount(amount).build();
  }
}
