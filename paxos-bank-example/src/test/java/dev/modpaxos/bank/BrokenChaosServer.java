package dev.modpaxos.bank;

import dev.modpaxos.bank.chaos.SkipPersistStore;
import dev.modpaxos.local.NetworkFaults;
import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.Transport;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.nio.file.Path;

/**
 * The deliberately broken bank server of the chaos harness (test sources only): the same process
 * as {@code bank server} (a {@link BankServer} over gRPC and Chronicle, with the admin RPC), except
 * that its store drops every local-log append ({@link SkipPersistStore}), so it acknowledges
 * transfers it never persisted. The chaos checkers must catch it (docs/RELIABILITY.md). Like
 * {@code bank server --fault-injection} it accepts the admin call SetFaults.
 *
 * <p>Usage: {@code BrokenChaosServer <S1..S5> <cluster file> <data dir>}.
 */
public final class BrokenChaosServer {
  private BrokenChaosServer() {}

  public static void main(String[] args) throws Exception {
    int nodeId = Servers.parse(args[0]);
    ClusterConfig cfg = ClusterConfig.load(Path.of(args[1]));
    GrpcChronicleBackend real = new GrpcChronicleBackend(cfg.paxos(), Path.of(args[2]), null, true);
    ClusterBackend broken = new ClusterBackend() {
      @Override
      public Transport transport(int id) {
        return real.transport(id);
      }

      @Override
      public Store openStore(int id) {
        return new SkipPersistStore(real.openStore(id));
      }

      @Override
      public String description() {
        return real.description() + ", BROKEN: local-log appends dropped";
      }
    };
    NetworkFaults network = new NetworkFaults(nodeId);
    FaultInjection faults = new FaultInjection(nodeId, network);
    BankServer server = new BankServer(nodeId, faults.wrap(broken), network, 10);
    server.recover();
    Server admin = NettyServerBuilder.forAddress(cfg.admin().get(nodeId))
        .addService(new AdminService(server, faults)).build().start();
    System.out.println(Servers.name(nodeId) + " serving: " + broken.description());
    System.out.flush();
    admin.awaitTermination();
  }
}
