package dev.modpaxos.bank;

import dev.modpaxos.local.NetworkFaults;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The multi-process mode: {@code bank server} (one node per process) and {@code bank driver}. */
final class MultiProcess {
  private static final Logger log = LoggerFactory.getLogger(MultiProcess.class);
  private static final long REACH_MILLIS = 60_000;

  private MultiProcess() {}

  @Command(name = "init", mixinStandardHelpOptions = true,
      description = "Create the five servers' stores of a new cluster: once, before the first"
          + " `bank server`. A server never initialises a store itself, so a wiped or wrong"
          + " --data-dir cannot pass for a new member (it starts as a non-voting learner).")
  static final class InitCommand implements Callable<Integer> {
    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data",
        description = "the stores go to DIR/S1..DIR/S5 (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Override
    public Integer call() {
      for (int id : Servers.IDS) {
        System.out.println(initStore(dataDir, id));
      }
      return 0;
    }
  }

  /**
   * Initialises server {@code id}'s store under {@code dataDir} as a founding member of a new
   * cluster (R16), unless it already is one. Returns one line saying what it did.
   */
  static String initStore(Path dataDir, int id) {
    Path dir = dataDir.resolve(Servers.name(id));
    try {
      java.nio.file.Files.createDirectories(dir);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot create " + dir, e);
    }
    try (dev.modpaxos.storage.chronicle.ChronicleStore store =
        dev.modpaxos.storage.chronicle.ChronicleStore.open(dir)) {
      dev.modpaxos.spi.StoredState state = store.load();
      if (state.identity() != null) {
        return Servers.name(id) + ": already initialised (" + state.identity() + ") in " + dir;
      }
      if (!state.isEmpty()) {
        return Servers.name(id) + ": NOT initialised: " + dir + " holds data but no identity";
      }
      store.saveIdentity(
          dev.modpaxos.spi.StoreIdentity.founding(Servers.CLUSTER_ID, id));
      store.sync();
      return Servers.name(id) + ": initialised " + dir;
    }
  }

  @Command(name = "server", mixinStandardHelpOptions = true,
      description = "Run one bank server: its node over gRPC, a Chronicle store, the admin RPC.")
  static final class ServerCommand implements Callable<Integer> {
    @Option(names = "--id", required = true, description = "which server: S1..S5")
    String id;

    @Option(names = "--config", required = true, paramLabel = "FILE",
        description = "the cluster file (addresses of all five servers)")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data",
        description = "its store goes to DIR/<id> (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--tick-millis", defaultValue = "10", hidden = true)
    long tickMillis;

    @Override
    public Integer call() throws Exception {
      int nodeId = Servers.parse(id);
      ClusterConfig cfg = ClusterConfig.load(config);
      BankPki pki = cfg.tlsDir() == null ? null : BankPki.open(cfg.tlsDir());
      GrpcChronicleBackend backend = new GrpcChronicleBackend(cfg.paxos(), dataDir, pki, true);
      BankServer server = new BankServer(nodeId, backend, new NetworkFaults(nodeId), tickMillis);
      server.recover();
      NettyServerBuilder b = NettyServerBuilder.forAddress(cfg.admin().get(nodeId))
          .addService(new AdminService(server));
      if (pki != null) {
        String name = BankPki.nodeName(nodeId);
        b.sslContext(GrpcSslContexts.forServer(pki.cert(name).toFile(), pki.key(name).toFile())
            .trustManager(pki.caFile().toFile()).clientAuth(ClientAuth.REQUIRE).build());
      }
      Server admin = b.build().start();
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        admin.shutdownNow();
        server.close();
        backend.close();
        stopped.countDown();
      }, "bank-shutdown"));
      System.out.printf("%s serving: paxos %s, admin %s, store %s%s%n", Servers.name(nodeId),
          cfg.paxos().get(nodeId), cfg.admin().get(nodeId), dataDir.resolve(Servers.name(nodeId)),
          pki != null ? ", mutual TLS" : "");
      System.out.flush();
      stopped.await();
      return 0;
    }
  }

  @Command(name = "driver", mixinStandardHelpOptions = true,
      description = "Feed the sets to five server processes over gRPC; the same menu as run.")
  static final class DriverCommand implements Callable<Integer> {
    @CommandLine.ArgGroup(exclusive = false)
    BankMain.SessionOptions session = new BankMain.SessionOptions();

    @Option(names = "--config", required = true, paramLabel = "FILE",
        description = "the cluster file (addresses of all five servers)")
    Path config;

    @Override
    public Integer call() throws Exception {
      ClusterConfig cfg = ClusterConfig.load(config);
      CsvSets.Parsed parsed = CsvSets.parse(BankMain.readInput(session.csv), BankMain.sessionIdBase());
      String input = session.csv == null ? "bundled " + BankMain.BUNDLED : session.csv.toString();
      try (Cluster cluster = connect(cfg)) {
        awaitReachable(cluster);
        boolean interactive = !session.batch && System.console() != null;
        return BankMain.runSession(input, parsed, cluster, session.report, interactive, System.in,
            System.out);
      }
    }
  }

  /** A cluster of {@link RemoteServer}s on the admin addresses of {@code cfg}. */
  static Cluster connect(ClusterConfig cfg) throws IOException {
    BankPki pki = cfg.tlsDir() == null ? null : BankPki.open(cfg.tlsDir());
    List<RemoteServer> handles = new ArrayList<>();
    for (int id : Servers.IDS) {
      NettyChannelBuilder b = NettyChannelBuilder.forAddress(cfg.admin().get(id));
      if (pki == null) {
        b.usePlaintext();
      } else {
        b.sslContext(GrpcSslContexts.forClient().trustManager(pki.caFile().toFile())
            .keyManager(pki.cert(BankPki.DRIVER).toFile(), pki.key(BankPki.DRIVER).toFile())
            .build()).overrideAuthority(BankPki.nodeName(id));
      }
      ManagedChannel channel = b.build();
      handles.add(new RemoteServer(id, channel));
    }
    return new Cluster(handles, 10_000,
        "5 server processes over gRPC" + (pki != null ? " with mutual TLS" : "")
            + ", Chronicle stores");
  }

  /**
   * Waits until every server answers (they may still be starting), up to a minute, then lets their
   * connections to each other come up.
   */
  static void awaitReachable(Cluster cluster) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REACH_MILLIS);
    for (int id : Servers.IDS) {
      while (!cluster.server(id).isUp() && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      if (!cluster.server(id).isUp()) {
        log.warn("{} is not reachable; it counts as down", Servers.name(id));
      }
    }
    cluster.warmUp(300);
  }
}
