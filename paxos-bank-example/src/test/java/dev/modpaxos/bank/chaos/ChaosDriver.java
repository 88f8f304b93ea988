package dev.modpaxos.bank.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modpaxos.bank.ServerView;
import dev.modpaxos.bank.chaos.History.Invocation;
import dev.modpaxos.bank.chaos.History.Outcome;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The chaos run: five bank server JVMs ({@code bank server}) on 127.0.0.1, one client thread per
 * server submitting transfers of that server's client, and a {@link Nemesis} injecting faults at
 * seeded random times. Every operation goes into the history; after the budget it heals
 * everything, lets the servers catch up, reads their final views and runs every {@link Checker}.
 *
 * <p>The seed decides every random choice of the clients and the nemesis (amounts, receivers,
 * think times, fault kinds, targets and durations). Real processes add timing the seed does not
 * control, so a replay repeats the schedule, not the interleaving.
 *
 * <p>After the checks of the final views comes the cold restart: kill -9 of all five, a start of
 * all five from their directories, catch-up, and every view checker again ({@link
 * ColdRestartChecker}).
 *
 * <p>Main: {@code ChaosDriver <minutes> <seed> <runDir> [skip-persist|skip-chosen|fresh-voter]}.
 */
public final class ChaosDriver {
  static final long TRANSFER_TIMEOUT_MILLIS = 5_000;
  private static final AtomicLong OPS = new AtomicLong();
  private static final long START_TIMEOUT_MILLIS = 90_000;

  /** The fault kinds that {@code diskfaults=} counts (syncfail and slowsync: branch faults). */
  static final List<String> DISK_FAULTS =
      List.of("wipe", "corrupt", "diskfull", "syncfail", "slowsync");

  /** What a run reports. */
  public record Result(long ops, long ok, long failed, long unknown, int kills, int partitions,
      int pauses, int netfaults, int diskFaults, UnknownFollowUpChecker.Counts unknowns,
      List<String> violations, Path runDir) {
    /** The run's one-line summary. */
    public String line() {
      return "chaos ops=" + ops + " ok=" + ok + " failed=" + failed + " unknown=" + unknown
          + " kills=" + kills + " partitions=" + partitions + " pauses=" + pauses
          + " netfaults=" + netfaults
          + " diskfaults=" + diskFaults + " unknown_executed=" + unknowns.executed()
          + " unknown_lost=" + unknowns.lost() + " violations=" + violations.size();
    }
  }

  private final long seed;
  private final long budgetMillis;
  private final Path runDir;
  final List<ServerProcess> servers = new ArrayList<>();
  final History.Recorder history;
  // Requests that are client operations (not views or catch-ups).
  private final Set<Long> operations = ConcurrentHashMap.newKeySet();
  private final Map<Long, Long> opOfTransfer = new ConcurrentHashMap<>();
  private final Map<Long, Boolean> answeredLate = new ConcurrentHashMap<>();
  private volatile boolean stopping;
  // The server whose transfer last reported a round: it holds the highest ballot ("the leader").
  volatile int leader = 1;
  // Probes of the driver (transfer ids above a client's own), numbered from 1.
  private final AtomicLong probes = new AtomicLong();
  // True if every data directory is a tmpfs of its own (the diskfull fault needs it).
  private final boolean tmpfs;

  ChaosDriver(long seed, double minutes, Path runDir, String broken)
      throws IOException, InterruptedException {
    this.seed = seed;
    this.budgetMillis = (long) (minutes * 60_000);
    this.runDir = runDir;
    Files.createDirectories(runDir);
    try (var entries = Files.list(runDir)) {
      if (entries.findAny().isPresent()) {
        throw new IOException(runDir + " is not empty: a run starts from fresh data directories");
      }
    }
    this.history = new History.Recorder(runDir.resolve("history.tsv"));
    List<Integer> ports = freePorts(10);
    StringBuilder cluster = new StringBuilder("# the chaos run's five servers\n");
    for (int id = 1; id <= 5; id++) {
      cluster.append("S").append(id).append(".paxos = 127.0.0.1:").append(ports.get(id - 1))
          .append("\nS").append(id).append(".admin = 127.0.0.1:").append(ports.get(id + 4))
          .append('\n');
    }
    Path config = Files.writeString(runDir.resolve("cluster.conf"), cluster);
    this.tmpfs = mountTmpfs();
    for (int id = 1; id <= 5; id++) {
      dev.modpaxos.bank.BankMain.initStore(runDir, id); // `bank init`: a new cluster (R16)
    }
    for (int id = 1; id <= 5; id++) {
      InetSocketAddress admin = new InetSocketAddress("127.0.0.1", ports.get(id + 4));
      servers.add(new ServerProcess(id, config, admin, runDir, broken, this::onLateReply));
    }
  }

  /** A tmpfs on each data directory (for diskfull); false, with a note, if mounting fails. */
  private boolean mountTmpfs() throws IOException, InterruptedException {
    for (int id = 1; id <= 5; id++) {
      String failed = DiskFaults.mount(runDir.resolve("S" + id));
      if (failed != null) {
        DiskFaults.unmountAll(runDir);
        history.note("no diskfull faults: cannot mount a tmpfs (" + failed + ")");
        return false;
      }
    }
    history.note("data directories on tmpfs mounts of " + DiskFaults.TMPFS_MEGABYTES + " MB");
    return true;
  }

  public static void main(String[] args) throws Exception {
    double minutes = Double.parseDouble(args[0]);
    long seed = Long.parseLong(args[1]);
    Result r = run(seed, minutes, Path.of(args[2]), args.length > 3 ? args[3] : null);
    r.violations().forEach(System.out::println);
    System.out.println(r.line());
    System.exit(r.violations().isEmpty() ? 0 : 1);
  }

  /**
   * Runs one chaos run and checks it; {@code broken} is a BrokenChaosServer mode, or null for the
   * bank's own servers. The tmpfs mounts are gone afterwards, with the data directories on them.
   */
  public static Result run(long seed, double minutes, Path runDir, String broken)
      throws Exception {
    try {
      ChaosDriver d = new ChaosDriver(seed, minutes, runDir, broken);
      try {
        return d.execute();
      } finally {
        d.servers.forEach(ServerProcess::close);
        d.history.close();
      }
    } finally {
      DiskFaults.unmountAll(runDir);
    }
  }

  private Result execute() throws Exception {
    history.note("seed " + seed + ", budget " + budgetMillis + " ms, run dir " + runDir);
    startAll();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(budgetMillis);
    List<Thread> clients = new ArrayList<>();
    for (ServerProcess s : servers) {
      Thread t = new Thread(() -> client(s, new Random(seed * 31 + s.id), deadline),
          "chaos-client-S" + s.id);
      t.start();
      clients.add(t);
    }
    Nemesis nemesis = new Nemesis(this, new Random(seed), tmpfs);
    nemesis.run(deadline);
    stopping = true;
    nemesis.healAll();
    for (Thread t : clients) {
      t.join(TimeUnit.MINUTES.toMillis(3));
    }
    probeLiveness();
    List<ServerView> finals = settle();
    writeViews("final-views.json", finals);
    History h = history.history();
    List<String> violations = new ArrayList<>(Checker.runAll(h, finals));
    UnknownFollowUpChecker.Counts unknowns = UnknownFollowUpChecker.counts(h, finals);
    history.note("unknown operations: " + unknowns.executed() + " executed, " + unknowns.lost()
        + " not executed");
    violations.addAll(coldRestart(h, finals));
    violations.forEach(v -> history.note("VIOLATION " + v));
    int diskFaults = DISK_FAULTS.stream().mapToInt(h::faults).sum();
    return new Result(h.invocations().size(), h.count(Outcome.OK), h.count(Outcome.FAILED),
        h.count(Outcome.UNKNOWN), h.faults("kill"), h.faults("disconnect"),
        h.faults("pause"), netFaults(h), diskFaults, unknowns, violations, runDir);
  }

  /** The network faults injected through SetFaults: two-sided, one-way, lossy links. */
  private static int netFaults(History h) {
    return h.faults("split") + h.faults("oneway") + h.faults("lossy");
  }

  private void writeViews(String name, List<ServerView> views) throws IOException {
    Files.writeString(runDir.resolve(name),
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(views));
  }

  /**
   * The cold restart: kill -9 of every server, all five started again, catch-up, the views again
   * (cold-restart-views.json), and every view checker on them ({@link ColdRestartChecker}).
   */
  private List<String> coldRestart(History h, List<ServerView> before) throws IOException {
    history.fault("coldkill", "S1..S5");
    servers.forEach(ServerProcess::kill);
    startAll(s -> {
      try {
        s.start(START_TIMEOUT_MILLIS);
      } catch (ServerProcess.RefusedStart refused) {
        history.note("cold restart: " + refused.getMessage());
      }
    });
    history.fault("coldstart", "S1..S5");
    List<ServerView> after = settle();
    writeViews("cold-restart-views.json", after);
    return new ColdRestartChecker(before).checkAll(h, after);
  }

  /**
   * Liveness after healing ({@link LivenessChecker}): each server whose pending queue is empty and
   * whose client has money sends a transfer of 1 to the next server; it is a probe, and must be
   * acknowledged within the bound. A server with pending transfers first retries them without a
   * round (admin RetryPending: a round could wait 60 s in a stalled cluster, and views wait for
   * it); one whose queue is still not empty is noted, not probed: a new transfer would queue
   * behind a head that may never be funded.
   */
  private void probeLiveness() {
    for (ServerProcess s : servers) {
      ServerView v = s.view();
      if (v.up() && !v.pending().isEmpty()) {
        s.retryPending(LivenessChecker.BOUND_MILLIS);
        v = s.view();
      }
      if (!v.up() || !v.pending().isEmpty() || v.balance() < 1) {
        history.note("no liveness probe on S" + s.id + ": " + (!v.up() ? "down"
            : !v.pending().isEmpty() ? v.pending().size() + " pending" : "balance 0"));
        continue;
      }
      probe(s, s.id % 5 + 1, 1, LivenessChecker.AFTER_HEALING + " S" + s.id);
    }
  }

  /**
   * A transfer of server {@code s}'s client sent by the driver itself, recorded as an operation
   * with a probe line saying {@code what}; waits for its answer up to the liveness bound. Returns
   * the answer, or null.
   */
  String probe(ServerProcess s, int to, long amount, String what) {
    long request = OPS.incrementAndGet();
    long id = s.id * 100_000_000L + 90_000_000L + probes.incrementAndGet();
    Invocation inv = new Invocation(request, s.id, id, s.id, to, amount);
    history.invoke(inv);
    history.probe(request, what);
    operations.add(request);
    opOfTransfer.put(id, request);
    try {
      String answer = s.transfer(request, id, to, amount, LivenessChecker.BOUND_MILLIS);
      if (answer == null) {
        history.outcome(request, Outcome.UNKNOWN,
            "no answer in " + LivenessChecker.BOUND_MILLIS + " ms");
      } else {
        record(s, request, answer);
      }
      return answer;
    } catch (IOException e) {
      history.outcome(request, Outcome.FAILED, "not delivered: " + e.getMessage());
      return null;
    }
  }

  /** A start of one server, which may throw. */
  interface Starter {
    void start(ServerProcess s) throws IOException;
  }

  private void startAll() throws Exception {
    List<Exception> errors = startAll(s -> s.start(START_TIMEOUT_MILLIS));
    if (!errors.isEmpty()) {
      throw errors.get(0);
    }
  }

  /** Starts every server at once with {@code starter}; returns what they threw. */
  List<Exception> startAll(Starter starter) {
    List<Thread> starters = new ArrayList<>();
    List<Exception> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (ServerProcess s : servers) {
      Thread t = new Thread(() -> {
        try {
          starter.start(s);
        } catch (Exception e) {
          errors.add(e);
        }
      });
      t.start();
      starters.add(t);
    }
    for (Thread t : starters) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    errors.forEach(e -> history.note("start failed: " + e.getMessage()));
    return errors;
  }

  // ---- clients ------------------------------------------------------------------------------

  private void client(ServerProcess s, Random random, long deadline) {
    long n = 0;
    while (System.nanoTime() < deadline && !stopping) {
      if (!s.isAlive()) {
        sleep(100); // a client does not submit to a server it knows is down
        continue;
      }
      int to = random.nextInt(4) + 1;
      to = to >= s.id ? to + 1 : to;
      // Mostly small amounts, so local logs build up between rounds; now and then a large one,
      // which leaves the client short and makes its server run a round (R14).
      long amount = random.nextInt(50) == 0 ? 40 + random.nextInt(50) : 1 + random.nextInt(10);
      int incarnation = s.incarnation();
      long request = OPS.incrementAndGet();
      Invocation inv = new Invocation(request, s.id, s.id * 100_000_000L + ++n, s.id, to, amount);
      history.invoke(inv);
      operations.add(request);
      opOfTransfer.put(inv.transferId(), request);
      String answer;
      try {
        answer = s.transfer(request, inv.transferId(), to, amount, TRANSFER_TIMEOUT_MILLIS);
      } catch (IOException e) {
        history.outcome(request, Outcome.FAILED, "not delivered: " + e.getMessage());
        sleep(100);
        continue;
      }
      if (answer == null) {
        history.outcome(request, Outcome.UNKNOWN,
            "no answer in " + TRANSFER_TIMEOUT_MILLIS + " ms");
        awaitLateAnswer(s, request, incarnation);
      } else {
        record(s, request, answer);
      }
      sleep(10 + random.nextInt(60));
    }
  }

  /**
   * EXECUTED is ok; REJECTED and "is down" are failed; PENDING, an RPC error (the call may have
   * reached the server) and the rest are unknown.
   */
  private void record(ServerProcess s, long op, String answer) {
    String[] w = answer.split(" ");
    if (w.length > 1 && !w[1].equals("0")) {
      leader = s.id;
    }
    acknowledgeOthers(op, w);
    Outcome o = switch (w[0]) {
      case "EXECUTED" -> Outcome.OK;
      case "REJECTED" -> Outcome.FAILED;
      case "UNDELIVERED" -> answer.contains("is_down") || answer.contains("is_not_voting")
          ? Outcome.FAILED : Outcome.UNKNOWN;
      default -> Outcome.UNKNOWN;
    };
    history.outcome(op, o, answer);
  }

  /** Waits for a timed-out request's answer or its server's death, so queues stay short. */
  private void awaitLateAnswer(ServerProcess s, long request, int incarnation) {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < until && s.isAlive() && s.incarnation() == incarnation
        && !answeredLate.containsKey(request)) {
      sleep(50);
    }
  }

  private void onLateReply(long request, String answer) {
    if (operations.contains(request)) {
      history.late(request, answer);
      String[] w = answer.split(" ");
      if (w[0].equals("EXECUTED")) {
        history.acknowledgedLater(request, "its own late answer");
      }
      acknowledgeOthers(request, w);
      answeredLate.put(request, true);
    }
  }

  /** An answer lists the earlier pending transfers it executed on the way: they are ok now. */
  private void acknowledgeOthers(long op, String[] answer) {
    if (answer.length > 2 && answer[0].matches("EXECUTED|PENDING") && !answer[2].equals("-")) {
      for (String id : answer[2].split(",")) {
        Long earlier = opOfTransfer.get(Long.parseLong(id));
        if (earlier != null) {
          history.acknowledgedLater(earlier, "executed during op " + op);
        }
      }
    }
  }

  // ---- the end ------------------------------------------------------------------------------

  /** Brings every server to the highest slot any has, then reads their final views. */
  private List<ServerView> settle() {
    long top = 0;
    for (ServerProcess s : servers) {
      top = Math.max(top, s.view().committedSlot());
    }
    for (ServerProcess s : servers) {
      history.note("S" + s.id + " catch-up to slot " + top + ": " + s.catchUp(top, 30_000));
    }
    List<ServerView> out = new ArrayList<>();
    servers.forEach(s -> out.add(s.view()));
    return out;
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static List<Integer> freePorts(int n) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      List<Integer> ports = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        sockets.add(s);
        ports.add(s.getLocalPort());
      }
      return ports;
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
  }
}
