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
        BankMain.Pki.class,
        BankMain.Clean.class
    })
public final class BankMain implements Callable<Integer> {
  static final String BUNDLED = "lab1_Test.csv";
  /** Exit code of a session left with Ctrl-C (128 + SIGINT, as shells report it). */
  static final int EXIT_INTERRUPTED = 130;

  /**
   * A mistake of the user's (a bad argument, a missing file, a directory in use): reported as one
   * line, {@code bank: <message>}, with exit code 1 and no stack trace.
   */
  static final class UserError extends RuntimeException {
    UserError(String message) {
      super(message, null, false, false);
    }
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code (main without System.exit, for tests). */
  static int run(String[] args) {
    System.setProperty("chronicle.analytics.disable", "true");
    String[] argv = args;
    if (argv.length == 0 || (argv[0].startsWith("-") && !isTopLevelFlag(argv[0]))) {
      String[] withRun = new String[argv.length + 1];
      withRun[0] = "run";
      System.arraycopy(argv, 0, withRun, 1, argv.length);
      argv = withRun;
    }
    nameTheLogAfterTheServer(argv);
    JulToLog.install();
    return new CommandLine(new BankMain())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler((e, cmd, parsed) -> report(e))
        .execute(argv);
  }

  /**
   * {@code bank server --id S3} logs to its own file, output_S3_<time>.log, and names S3 on every
   * line; set before the first logger exists.
   */
  private static void nameTheLogAfterTheServer(String[] argv) {
    if (argv.length == 0 || !argv[0].equals("server")) {
      return;
    }
    for (int i = 1; i < argv.length; i++) {
      String v = argv[i].startsWith("--id=") ? argv[i].substring(5)
          : argv[i].equals("--id") && i + 1 < argv.length ? argv[i + 1] : null;
      if (v != null && v.trim().matches("(?i)s[1-5]")) {
        String name = v.trim().toUpperCase(java.util.Locale.ROOT);
        System.setProperty("bank.log.prefix", name + "_");
        System.setProperty("bank.node", name + " ");
      }
    }
  }

  /** One line on stderr for any failure; the stack trace, if it is not the user's, to the log. */
  static int report(Exception e) {
    String msg;
    if (e instanceof UserError) {
      msg = e.getMessage();
    } else if (e instanceof java.nio.file.NoSuchFileException n) {
      msg = "no such file: " + n.getFile();
    } else if (e instanceof java.nio.file.AccessDeniedException a) {
      msg = "permission denied: " + a.getFile();
    } else if (e instanceof IllegalArgumentException || e instanceof java.io.IOException) {
      msg = e.getMessage() != null ? e.getMessage() : e.toString();
    } else {
      LoggerFactory.getLogger(BankMain.class).error("bank stopped", e);
      msg = e + " (the stack trace is in the log file)";
    }
    System.err.println("bank: " + msg);
    return 1;
  }

  private static boolean isTopLevelFlag(String a) {
    return a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version");
  }

  @Override
  public Integer call() {
    new CommandLine(this).usage(System.out);
    return 0;
  }

  /** How rounds start: the assignment's on-demand rounds, or the v2 spec's stable leader. */
  enum Leader {
    round,
    stable
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

    @Option(names = "--web",
        description = "serve a live view of the cluster (one page) on 127.0.0.1 and print its"
            + " address")
    boolean web;

    @Option(names = "--web-port", paramLabel = "PORT",
        description = "the web view's port (implies --web; default: any free port)")
    Integer webPort;

    /** Binds the web view's port now if asked (a port in use is a UserError), else null. */
    WebView bindWeb() {
      return web || webPort != null ? WebView.bind(webPort == null ? 0 : webPort) : null;
    }
  }

  /** {@code --metrics-port}: binds the Prometheus endpoint now (a port in use is a UserError). */
  static MetricsEndpoint bindMetrics(Integer port) {
    return port == null ? null : MetricsEndpoint.bind(port);
  }

  /** Closes what is not null, quietly. */
  static void closeAll(AutoCloseable... parts) {
    for (AutoCloseable p : parts) {
      if (p != null) {
        try {
          p.close();
        } catch (Exception e) {
          LoggerFactory.getLogger(BankMain.class).warn("closing {}: {}", p, e.toString());
        }
      }
    }
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

    @Option(names = "--resume", description = "continue the run recorded in --data-dir from the"
        + " set after its last one (a reused --data-dir is refused without it)")
    boolean resume;

    @Option(names = "--leader", defaultValue = "round", paramLabel = "MODE",
        description = "round: a short sender runs a round (the assignment); stable: a stable"
            + " leader batches every server's forwarded log and a short sender waits for it"
            + " (default: ${DEFAULT-VALUE})")
    Leader leader;

    @Option(names = "--compact-every", paramLabel = "N", description = COMPACT_EVERY_HELP)
    String compactEvery;

    @Option(names = "--metrics-port", paramLabel = "PORT",
        description = "serve a Prometheus scrape of the five nodes' metrics at"
            + " http://127.0.0.1:PORT/metrics")
    Integer metricsPort;

    @Option(names = "--keep-runs", defaultValue = "3", paramLabel = "N",
        description = "without --data-dir: keep only the newest N earlier runs in ./data"
            + " (default: ${DEFAULT-VALUE}; ./bank clean removes them all)")
    int keepRuns;

    @Override
    public Integer call() throws Exception {
      String input = session.csv == null ? "bundled " + BUNDLED : session.csv.toString();
      compactEverySlots(compactEvery); // a bad value stops the run before anything starts
      CsvSets.Parsed parsed = parseInput(session.csv);
      MetricsEndpoint metrics = bindMetrics(metricsPort);
      WebView web;
      try {
        web = session.bindWeb();
      } catch (RuntimeException e) {
        closeAll(metrics);
        throw e;
      }
      try {
        return run(input, parsed, metrics, web);
      } finally {
        closeAll(web, metrics);
      }
    }

    private int run(String input, CsvSets.Parsed parsed, MetricsEndpoint metrics, WebView web)
        throws Exception {
      Backends.StoreKind kind = store != null ? store
          : transport == Backends.TransportKind.local
              ? Backends.StoreKind.memory : Backends.StoreKind.chronicle;
      boolean stores = kind == Backends.StoreKind.chronicle;
      RunRecord resumedOrNull = null;
      Path chosenDir;
      if (dataDir != null) {
        chosenDir = dataDir;
        resumedOrNull = stores ? DataDirs.checkReuse(chosenDir, input, resume) : null;
      } else {
        if (resume) {
          throw new UserError("--resume needs --data-dir DIR (the run to continue)");
        }
        DataDirs.pruneRuns(Paths.get("data"), keepRuns, System.err);
        chosenDir = Paths.get("data", "run-" + System.currentTimeMillis());
      }
      Path dir = chosenDir;
      RunRecord resumed = resumedOrNull;
      ClusterBackend backend = Backends.create(transport, kind, dir, tls);
      log.info("data directory {}", dir.toAbsolutePath());
      try (backend;
          Progress progress = Progress.console();
          Cluster cluster = InJvmCluster.start(backend, session.tickMillis, 10_000,
              leader == Leader.stable, compactEverySlots(compactEvery), progress)) {
        Thread hook = closeOnInterrupt(cluster, backend);
        try {
          if (metrics != null) {
            metrics.add(Servers.IDS.stream().map(id -> (BankServer) cluster.server(id)).toList());
            System.out.println("Prometheus metrics: " + metrics.url());
          }
          boolean interactive = !session.batch && System.console() != null;
          return runSession(input, parsed, cluster, session.report, interactive, System.in,
              System.out, progress, 0, web, s -> {
                if (stores) {
                  if (resumed != null && s.lastSetDone() == 0) {
                    int skipped = s.resumeAfter(resumed.lastSet(), resumed.owed(),
                        resumed.owedSets());
                    System.out.printf("Resuming %s: %s done earlier; %s owed again%n", dir,
                        Printer.plural(skipped, "set"),
                        Printer.plural(resumed.owed().size(), "transfer"));
                  }
                  s.afterEverySet(x -> DataDirs.record(dir, input, x));
                }
              });
        } finally {
          removeHook(hook);
        }
      }
    }
  }

  static final String COMPACT_EVERY_HELP = "snapshot every N slots and drop the blocks more than"
      + " N slots below the snapshot; PrintDB then shows the snapshot and the blocks after it"
      + " (default: keep every block)";

  /** {@code --compact-every}: absent is 0 (keep every block); else a whole number 1..1000000. */
  static long compactEverySlots(String value) {
    if (value == null) {
      return 0;
    }
    long n;
    try {
      n = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      n = -1;
    }
    if (n < 1 || n > 1_000_000) {
      throw new UserError("--compact-every takes a number of slots from 1 to 1000000, got '"
          + value + "'");
    }
    return n;
  }

  /**
   * Ctrl-C while a set runs (or any signal that ends the JVM): close the nodes and the stores
   * cleanly, so the next start needs no recovery.
   */
  static Thread closeOnInterrupt(AutoCloseable... parts) {
    Thread hook = new Thread(() -> {
      for (AutoCloseable p : parts) {
        try {
          p.close();
        } catch (Exception e) {
          // shutting down: nothing more to do
        }
      }
    }, "bank-interrupt");
    Runtime.getRuntime().addShutdownHook(hook);
    return hook;
  }

  static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down already
    }
  }

  @Command(name = "clean", mixinStandardHelpOptions = true,
      description = "Remove the data directories that earlier `bank run`s left in ./data/run-*.")
  static final class Clean implements Callable<Integer> {
    @Option(names = "--keep", defaultValue = "0", paramLabel = "N",
        description = "keep the newest N runs (default: ${DEFAULT-VALUE})")
    int keep;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data",
        description = "where the runs are (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Override
    public Integer call() throws IOException {
      if (DataDirs.pruneRuns(dataDir, keep, System.out) == 0) {
        System.out.println("bank: no runs to remove in " + dataDir);
      }
      return 0;
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
    return runSession(input, parsed, cluster, report, interactive, in, out, Progress.NONE, 0,
        null, s -> {});
  }

  /**
   * As above; a set that runs long says so on {@code progress} (stderr), {@code
   * idleResyncMillis > 0} re-sends what restarted servers are owed that often while the menu waits
   * (five-process mode), {@code web} (or null) shows the session, and {@code setUp} sees the
   * session first.
   */
  static int runSession(String input, CsvSets.Parsed parsed, Cluster cluster, Path report,
      boolean interactive, InputStream in, PrintStream out, Progress progress,
      long idleResyncMillis, WebView web, java.util.function.Consumer<Session> setUp)
      throws IOException {
    Session s = new Session(cluster, parsed);
    s.runner().progress(progress);
    Menu menu = new Menu(s, out);
    out.printf("modpaxos bank: 5 servers (%s), %s from %s%n",
        cluster.description(), Printer.plural(s.setsTotal(), "set"), input);
    parsed.problems().forEach(p -> out.println("  rejected " + p));
    setUp.accept(s);
    if (web != null) {
      web.attach(s, menu, cluster.description());
      out.println("Web view: " + web.url());
    }
    out.println("Type help for the commands; NextIteration runs the next set.");
    menu.nextIteration();
    java.util.concurrent.ScheduledExecutorService idle = null;
    if (idleResyncMillis > 0) {
      idle = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bank-idle-resync");
        t.setDaemon(true);
        return t;
      });
      idle.scheduleWithFixedDelay(menu::resync, idleResyncMillis, idleResyncMillis,
          java.util.concurrent.TimeUnit.MILLISECONDS);
    }
    int code;
    try {
      code = interactive
          ? Console.interactive(menu, s,
              Paths.get(System.getProperty("user.home"), ".modpaxos-bank-history"))
          : Console.batch(menu, in, out);
    } finally {
      if (idle != null) {
        idle.shutdownNow();
      }
    }
    if (report != null) {
      Report.write(Report.build(input, s), report);
      out.println("report written to " + report);
    }
    return code;
  }

  /**
   * Reads and parses the input; a file that cannot be read, is not UTF-8 text, or holds no set
   * that can run is a {@link UserError} (the rows' problems are printed first).
   */
  static CsvSets.Parsed parseInput(Path csv) throws IOException {
    String name = csv == null ? "the bundled " + BUNDLED : csv.toString();
    String text;
    try {
      text = readInput(csv);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new UserError("cannot read " + name + ": no such file");
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new UserError("cannot read " + name + ": it is not a UTF-8 text file");
    } catch (IOException e) {
      throw new UserError("cannot read " + name + ": "
          + (csv != null && Files.isDirectory(csv) ? "it is a directory" : e.getMessage()));
    }
    if (text.indexOf('\0') >= 0) {
      throw new UserError("cannot read " + name + ": it is not a text file");
    }
    CsvSets.Parsed parsed = CsvSets.parse(text, sessionIdBase());
    if (parsed.sets().isEmpty()) {
      parsed.allProblems().forEach(p -> System.err.println("  rejected " + p));
      throw new UserError(name + (text.isBlank() ? " is empty"
          : " holds no set that can run (" + Printer.plural(parsed.allProblems().size(),
              "rejected row") + ")") + "; a set is rows like 1,\"(S1, S3, 45)\",\"[S1, S2, S3]\"");
    }
    return parsed;
  }

  static String readInput(Path csv) throws IOException {
    if (csv != null) {
      return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(csv))).toString();
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
