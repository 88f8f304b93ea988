package dev.modpaxos.bank;

import dev.modpaxos.local.NetworkFaults;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.PrintStream;
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

  private MultiProcess() {}

  @Command(name = "init", mixinStandardHelpOptions = true,
      description = "Create the five servers' stores of a new cluster: once, before the first"
          + " `bank server`. A server never initialises a store itself, so a wiped or wrong"
          + " --data-dir cannot pass for a new member: it refuses to start without --rejoin.")
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

    @Option(names = "--leader", defaultValue = "round", paramLabel = "MODE",
        description = "round or stable; all five servers must use the same (default: round)")
    BankMain.Leader leader;

    @Option(names = "--compact-every", paramLabel = "N", description = BankMain.COMPACT_EVERY_HELP)
    String compactEvery;

    @Option(names = "--metrics-port", paramLabel = "PORT",
        description = "serve a Prometheus scrape of this node's metrics at"
            + " http://127.0.0.1:PORT/metrics")
    Integer metricsPort;

    @Option(names = "--rejoin",
        description = "its data directory was wiped or damaged: start as a new incarnation that"
            + " the cluster re-admits under its next generation (a wiped or damaged store is"
            + " refused without it, an intact one with it)")
    boolean rejoin;

    // For the chaos harness only: the admin call SetFaults may then inject network and sync
    // faults (docs/RELIABILITY.md). Off by default; an operator never needs it.
    @Option(names = "--fault-injection", hidden = true)
    boolean faultInjection;

    @Override
    public Integer call() throws Exception {
      int nodeId = Servers.parse(id);
      long compactEverySlots = BankMain.compactEverySlots(compactEvery);
      ClusterConfig cfg = ClusterConfig.load(config);
      BankPki pki = cfg.tlsDir() == null ? null : BankPki.open(cfg.tlsDir());
      if (pki == null) {
        AdminEndpoint.requireLoopback(Servers.name(nodeId) + ".paxos", cfg.paxos().get(nodeId));
        AdminEndpoint.requireLoopback(Servers.name(nodeId) + ".admin", cfg.admin().get(nodeId));
        log.warn("{}: plaintext: anyone on this machine can call the admin service and speak"
            + " Paxos; set tls.dir in the cluster file for mutual TLS", Servers.name(nodeId));
      }
      MetricsEndpoint metrics = BankMain.bindMetrics(metricsPort);
      GrpcChronicleBackend backend = new GrpcChronicleBackend(cfg.paxos(), dataDir, pki, true);
      NetworkFaults network = new NetworkFaults(nodeId);
      FaultInjection faults = faultInjection ? new FaultInjection(nodeId, network) : null;
      BankServer server = new BankServer(nodeId, faults == null ? backend : faults.wrap(backend),
              network, tickMillis)
          .stableLeader(leader == BankMain.Leader.stable).compactEvery(compactEverySlots)
          .checkStoreAtStart(rejoin);
      try (Progress progress = Progress.console()) {
        progress.say(Servers.name(nodeId) + " starting: store "
            + dataDir.resolve(Servers.name(nodeId)) + ", paxos " + cfg.paxos().get(nodeId));
        progress.begin(Servers.name(nodeId) + " start-up",
            "opening its store and replaying its chosen blocks");
        try {
          server.recover();
        } catch (RejoinCheck.RefusedStart refused) {
          BankMain.closeAll(metrics, backend);
          throw new BankMain.UserError(refused.getMessage());
        }
        progress.end();
      }
      Thread readmitted = announceReadmission(server);
      if (metrics != null) {
        metrics.add(List.of(server));
      }
      Server admin = AdminEndpoint.start(cfg.admin().get(nodeId), server, pki, nodeId, faults);
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        if (readmitted != null) {
          readmitted.interrupt();
        }
        admin.shutdownNow();
        BankMain.closeAll(metrics);
        server.close();
        backend.close();
        stopped.countDown();
      }, "bank-shutdown"));
      System.out.printf("%s serving: paxos %s, admin %s, store %s%s%n", Servers.name(nodeId),
          cfg.paxos().get(nodeId), cfg.admin().get(nodeId), dataDir.resolve(Servers.name(nodeId)),
          (pki != null ? ", mutual TLS" : "") + (faults != null ? ", FAULT INJECTION ON" : ""));
      if (metrics != null) {
        System.out.println(Servers.name(nodeId) + " metrics: " + metrics.url());
      }
      System.out.flush();
      stopped.await();
      return 0;
    }
  }

  /**
   * A server that started as a new incarnation ({@code --rejoin}) prints one line once the
   * cluster re-admitted it and it votes again: it looks every {@link #READMISSION_POLL_MILLIS} ms
   * until then (the process's lifetime at most). Returns the watching thread, or null when the
   * server did not start as a new incarnation.
   */
  static Thread announceReadmission(BankServer server) {
    ServerHandle.MemberStatus m = server.memberStatus();
    if (!m.newIncarnation()) {
      return null;
    }
    String name = Servers.name(server.id());
    System.out.println(name + " runs as a new incarnation: " + m.notVotingReason());
    System.out.flush();
    Thread t = new Thread(() -> {
      try {
        ServerHandle.MemberStatus s = server.memberStatus();
        while (!s.voting()) {
          Thread.sleep(READMISSION_POLL_MILLIS);
          s = server.memberStatus();
        }
        System.out.println(name + " re-admitted as generation " + s.generation()
            + ": it votes again");
        System.out.flush();
        log.info("{} re-admitted as generation {}", name, s.generation());
      } catch (InterruptedException e) {
        // the process is ending
      }
    }, "bank-readmission");
    t.setDaemon(true);
    t.start();
    return t;
  }

  static final long READMISSION_POLL_MILLIS = 200;

  @Command(name = "driver", mixinStandardHelpOptions = true,
      description = "Feed the sets to five server processes over gRPC; the same menu as run.")
  static final class DriverCommand implements Callable<Integer> {
    @CommandLine.ArgGroup(exclusive = false)
    BankMain.SessionOptions session = new BankMain.SessionOptions();

    @Option(names = "--config", required = true, paramLabel = "FILE",
        description = "the cluster file (addresses of all five servers)")
    Path config;

    @Option(names = "--wait-seconds", defaultValue = "120", paramLabel = "N",
        description = "how long to wait for all five servers to answer before giving up"
            + " (default: ${DEFAULT-VALUE})")
    long waitSeconds;

    @Override
    public Integer call() throws Exception {
      ClusterConfig cfg = ClusterConfig.load(config);
      CsvSets.Parsed parsed = BankMain.parseInput(session.csv);
      String input = session.csv == null ? "bundled " + BankMain.BUNDLED : session.csv.toString();
      WebView web = session.bindWeb();
      try (Progress progress = Progress.console(); Cluster cluster = connect(cfg)) {
        List<Integer> missing = awaitServers(cluster, waitSeconds * 1000, System.err);
        if (!missing.isEmpty()) {
          throw new BankMain.UserError(names(missing) + (missing.size() == 1 ? " does" : " do")
              + " not answer after " + waitSeconds + " s; start "
              + (missing.size() == 1 ? "it" : "them") + " with `./bank server --id "
              + Servers.name(missing.get(0)) + " --config " + config + " --data-dir DIR`, or"
              + " wait longer with --wait-seconds");
        }
        cluster.warmUp(300);
        boolean interactive = !session.batch && System.console() != null;
        return BankMain.runSession(input, parsed, cluster, session.report, interactive, System.in,
            System.out, progress, IDLE_RESYNC_MILLIS, web, s -> {});
      } finally {
        BankMain.closeAll(web);
      }
    }
  }

  /** While the menu waits for a line, the driver re-sends what restarted servers are owed. */
  static final long IDLE_RESYNC_MILLIS = 1_000;

  static String names(List<Integer> ids) {
    return String.join(", ", ids.stream().map(Servers::name).toList());
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
   * Waits until every server answers (they may still be starting), up to {@code timeoutMillis},
   * printing a progress line to {@code progress} every few seconds while some are missing. Returns
   * the servers that never answered (empty when all are up).
   */
  static List<Integer> awaitServers(Cluster cluster, long timeoutMillis, PrintStream progress)
      throws InterruptedException {
    long start = System.nanoTime();
    long lastLine = Long.MIN_VALUE;
    while (true) {
      List<Integer> up = new ArrayList<>();
      List<Integer> missing = new ArrayList<>();
      for (int id : Servers.IDS) {
        (cluster.server(id).isUp() ? up : missing).add(id);
      }
      long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      if (missing.isEmpty() || waited >= timeoutMillis) {
        if (lastLine != Long.MIN_VALUE && missing.isEmpty()) {
          progress.println("bank: all five servers answer");
        }
        return missing;
      }
      if (lastLine == Long.MIN_VALUE || waited - lastLine >= PROGRESS_MILLIS) {
        lastLine = waited;
        progress.printf("bank: waiting for %s (%s up; %d s of %d s)%n", names(missing),
            up.isEmpty() ? "none" : names(up), waited / 1000, timeoutMillis / 1000);
      }
      Thread.sleep(200);
    }
  }

  private static final long PROGRESS_MILLIS = 3_000;
}
