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
 * as {@code bank server} (a {@link BankServer} over gRPC and Chronicle, with the admin RPC), broken
 * in one way, the mode:
 *
 * <ul>
 *   <li>{@code skip-persist}: its store drops every local-log append ({@link SkipPersistStore}),
 *       so it acknowledges transfers it never persisted;
 *   <li>{@code skip-chosen}: its store drops every chosen-block save, so what a cold restart of
 *       all servers brings back lacks the blocks the run had chosen;
 *   <li>{@code fresh-voter}: a server that finds its data directory empty initialises it as a
 *       founding member (what {@code bank init} does) and votes at once, instead of refusing or
 *       running as a learner that awaits re-admission (R16).
 * </ul>
 *
 * It never checks its store at start ({@code --rejoin} does not apply). Like {@code bank server
 * --fault-injection} it accepts the admin call SetFaults. The chaos checkers must catch each mode
 * (docs/RELIABILITY.md).
 *
 * <p>Usage: {@code BrokenChaosServer <S1..S5> <cluster file> <data dir> [mode]} (default
 * skip-persist).
 */
public final class BrokenChaosServer {
  private BrokenChaosServer() {}

  public static void main(String[] args) throws Exception {
    int nodeId = Servers.parse(args[0]);
    String mode = args.length > 3 ? args[3] : "skip-persist";
    if (!java.util.List.of("skip-persist", "skip-chosen", "fresh-voter").contains(mode)) {
      throw new IllegalArgumentException("unknown broken mode " + mode);
    }
    ClusterConfig cfg = ClusterConfig.load(Path.of(args[1]));
    Path dir = Path.of(args[2]).resolve(Servers.name(nodeId));
    if (mode.equals("fresh-voter") && isEmpty(dir)) {
      // BROKEN ON PURPOSE: an existing member's empty store becomes a founding voter.
      System.out.println(BankMain.initStore(Path.of(args[2]), nodeId));
    }
    GrpcChronicleBackend real = new GrpcChronicleBackend(cfg.paxos(), Path.of(args[2]), null, true);
    ClusterBackend broken = new ClusterBackend() {
      @Override
      public Transport transport(int id) {
        return real.transport(id);
      }

      @Override
      public Store openStore(int id) {
        Store store = real.openStore(id);
        return mode.equals("fresh-voter") ? store
            : new SkipPersistStore(store, mode.equals("skip-chosen"));
      }

      @Override
      public String description() {
        return real.description() + ", BROKEN: " + mode;
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

  private static boolean isEmpty(Path dir) throws java.io.IOException {
    if (!java.nio.file.Files.isDirectory(dir)) {
      return true;
    }
    try (var entries = java.nio.file.Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }
}
