package dev.modpaxos.bank;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code bank} command line: {@code run} (the default), {@code server} and {@code driver}. */
@Command(
    name = "bank",
    mixinStandardHelpOptions = true,
    version = "modpaxos bank 0.1.0",
    description = "The modified-Paxos distributed bank.",
    subcommands = {
        BankMain.Run.class,
        MultiProcess.InitCommand.class,
        MultiProcess.ServerCommand.class,
        MultiProcess.DriverCommand.class,
        BankMain.ClusterFile.class,
        BankMain.Pki.class
    })
public final class BankMain implements Callable<Integer> {
  static final String BUNDLED = "lab1_Test.csv";

  public static void main(String[] args) {
    System.setProperty("chronicle.analytics.disable", "true");
    String[] argv = args;
    if (argv.length == 0 || (argv[0].startsWith("-") && !isTopLevelFlag(argv[0]))) {
      String[] withRun = new String[argv.length + 1];
      withRun[0] = "run";
      System.arraycopy(argv, 0, withRun, 1, argv.length);
      argv = withRun;
    }
    System.exit(new CommandLine(new BankMain()).setCaseInsensitiveEnumValuesAllowed(true).execute(argv));
  }

  private static boolean isTopLevelFlag(String a) {
    return a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version");
  }

  @Override
  public Integer call() {
    new CommandLine(this).usage(System.out);
    return 0;
  }

  /** Options shared by the modes that run sets: the input, batch mode and the report. */
  static final class SessionOptions {
    @Parameters(index = "0", arity = "0..1", paramLabel = "CSV",
        description = "the input file of sets (default: the bundled official test file)")
    Path csv;

    @Option(names = "--batch",
        description = "read menu commands from stdin until exit or end of input"
            + " (implied when there is no terminal)")
    boolean batch;

    @Option(names = "--report", paramLabel = "FILE", description = "write a JSON report at exit")
    Path report;

    @Option(names = "--tick-millis", defaultValue = "10", hidden = true)
    long tickMillis;
  }

  @Command(name = "run", mixinStandardHelpOptions = true,
      description = "Run the sets with five servers in this JVM.")
  static final class Run implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(Run.class);

    @CommandLine.ArgGroup(exclusive = false)
    SessionOptions session = new SessionOptions();

    @Option(names = "--transport", defaultValue = "grpc",
        description = "local or grpc (default: ${DEFAULT-VALUE})")
    Backends.TransportKind transport;

    @Option(names = "--store",
        description = "memory or chronicle (default: chronicle with grpc, memory with local)")
    Backends.StoreKind store;

    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "where Chronicle stores live (default: a fresh directory under ./data)")
    Path dataDir;

    @Option(names = "--tls", description = "gRPC with TLS (a self-signed certificate)")
    boolean tls;

    @Override
    public Integer call() throws Exception {
      CsvSets.Parsed parsed;
      String input;
      try {
        input = session.csv == null ? "bundled " + BUNDLED : session.csv.toString();
        parsed = CsvSets.parse(readInput(session.csv), sessionIdBase());
      } catch (IOException e) {
        System.err.println("cannot read " + session.csv + ": " + e.getMessage());
        return 2;
      }
      Path dir = dataDir != null ? dataDir : Paths.get("data", "run-" + System.currentTimeMillis());
      ClusterBackend backend;
      try {
        backend = Backends.create(transport,
            store != null ? store
                : transport == Backends.TransportKind.local
                    ? Backends.StoreKind.memory : Backends.StoreKind.chronicle,
            dir, tls);
      } catch (IllegalArgumentException e) {
        System.err.println(e.getMessage());
        return 2;
      }
      log.info("data directory {}", dir.toAbsolutePath());
      try (backend;
          Cluster cluster = InJvmCluster.start(backend, session.tickMillis, 10_000)) {
        boolean interactive = !session.batch && System.console() != null;
        return runSession(input, parsed, cluster, session.report, interactive, System.in,
            System.out);
      }
    }
  }

  @Command(name = "cluster-file", mixinStandardHelpOptions = true,
      description = "Print a cluster file for five servers on this machine.")
  static final class ClusterFile implements Callable<Integer> {
    @Option(names = "--base-port", defaultValue = "7100",
        description = "S<i> gets paxos port base+i and admin port base+100+i (default: ${DEFAULT-VALUE})")
    int basePort;

    @Override
    public Integer call() {
      if (basePort < 1024 || basePort > 65_000) {
        System.err.println("--base-port must be in 1024..65000, got " + basePort);
        return 2;
      }
      System.out.print(ClusterConfig.localhost(basePort));
      return 0;
    }
  }

  @Command(name = "pki", mixinStandardHelpOptions = true,
      description = "Write a throwaway CA and certificates for S1..S5 and the driver.")
  static final class Pki implements Callable<Integer> {
    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "where to write")
    Path dir;

    @Override
    public Integer call() throws IOException {
      BankPki.create(dir);
      System.out.println("wrote ca.pem, node-1..5.pem/.key, driver.pem/.key to " + dir
          + "; set tls.dir in the cluster file to use them");
      return 0;
    }
  }

  /** Prints the parse problems, runs set 1, then the menu; writes the report at the end. */
  static int runSession(String input, CsvSets.Parsed parsed, Cluster cluster, Path report,
      boolean interactive, InputStream in, PrintStream out) throws IOException {
    Session s = new Session(cluster, parsed);
    Menu menu = new Menu(s, out);
    out.printf("modpaxos bank: 5 servers (%s), %d sets from %s%n",
        cluster.description(), s.setsTotal(), input);
    parsed.problems().forEach(p -> out.println("  rejected " + p));
    out.println("Type help for the commands; NextIteration runs the next set.");
    menu.nextIteration();
    if (interactive) {
      Console.interactive(menu, s,
          Paths.get(System.getProperty("user.home"), ".modpaxos-bank-history"));
    } else {
      Console.batch(menu, in, out);
    }
    if (report != null) {
      Report.write(Report.build(input, s), report);
      out.println("report written to " + report);
    }
    return 0;
  }

  static String readInput(Path csv) throws IOException {
    if (csv != null) {
      return Files.readString(csv, StandardCharsets.UTF_8);
    }
    try (InputStream in = BankMain.class.getResourceAsStream("/" + BUNDLED)) {
      if (in == null) {
        throw new IOException("the bundled " + BUNDLED + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** A random base for this session's transfer ids, so that two sessions never share one. */
  static long sessionIdBase() {
    return (new SecureRandom().nextLong() & 0x7f_ffff_ffffL) << 20;
  }

  /**
   * What {@code bank init} does for one server: initialises its store under {@code dataDir} as a
   * founding member of a new cluster, unless it already is one; returns one line saying so.
   */
  public static String initStore(java.nio.file.Path dataDir, int id) {
    return MultiProcess.initStore(dataDir, id);
  }
}
