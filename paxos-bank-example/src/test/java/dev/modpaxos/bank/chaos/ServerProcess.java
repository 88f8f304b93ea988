package dev.modpaxos.bank.chaos;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.util.concurrent.ListenableFuture;
import dev.modpaxos.bank.BankMain;
import dev.modpaxos.bank.BrokenChaosServer;
import dev.modpaxos.bank.ServerView;
import dev.modpaxos.bank.admin.BankAdminGrpc;
import dev.modpaxos.bank.admin.CatchUpRequest;
import dev.modpaxos.bank.admin.ConnectRequest;
import dev.modpaxos.bank.admin.Empty;
import dev.modpaxos.bank.admin.FaultsRequest;
import dev.modpaxos.bank.admin.MemberReply;
import dev.modpaxos.bank.admin.RetryRequest;
import dev.modpaxos.bank.admin.StatusReply;
import dev.modpaxos.bank.admin.ViewRequest;
import dev.modpaxos.bank.admin.TransferReply;
import dev.modpaxos.bank.admin.TransferRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * The driver's handle on one server JVM: the bank's own {@code bank server} process (or, for the
 * broken build, {@link BrokenChaosServer}), driven through the bank's admin RPC, plus the process
 * faults (kill -9, SIGSTOP, SIGCONT). A transfer answered after the client stopped waiting goes to
 * the late-answer listener. Thread-safe.
 */
final class ServerProcess {
  private static final long WORK_MILLIS = 120_000;
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  final int id;
  private final Path config;
  private final Path runDir;
  private final Path logFile;
  // The BrokenChaosServer mode (skip-persist, skip-chosen, fresh-voter), or null: bank server.
  private final String broken;
  private final BiConsumer<Long, String> lateAnswers;
  // Calls wait for the channel to be ready (within their deadline): after a restart the channel
  // may still be backing off from the dead process.
  private final ManagedChannel channel;
  private volatile Process process;
  private volatile boolean paused;
  // Incremented at every start: a request sent to one incarnation is never answered by the next.
  private volatile int incarnation;

  ServerProcess(int id, Path config, InetSocketAddress admin, Path runDir, String broken,
      BiConsumer<Long, String> lateAnswers) {
    this.id = id;
    this.config = config;
    this.runDir = runDir;
    this.logFile = runDir.resolve("S" + id + ".log");
    this.broken = broken;
    this.lateAnswers = lateAnswers;
    // Views come in pages far below gRPC's default 4 MiB (ServerView.paged).
    this.channel = NettyChannelBuilder.forAddress(admin).usePlaintext().build();
  }

  /** Starts the JVM and waits (up to {@code timeoutMillis}) until it serves. */
  void start(long timeoutMillis) throws IOException {
    start(timeoutMillis, false);
  }

  /** The server's data directory, {@code <run dir>/S<id>}. */
  Path dataDir() {
    return runDir.resolve("S" + id);
  }

  /**
   * Starts the JVM, with {@code --rejoin} if {@code rejoin} (its data directory was wiped or
   * damaged), and waits (up to {@code timeoutMillis}) until it serves. Throws {@link
   * RefusedStart} if the process ended before it served (a refused start), naming its last line.
   */
  synchronized void start(long timeoutMillis, boolean rejoin) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle.")) {
        cmd.add(arg);
      }
    }
    cmd.addAll(List.of("-Dchronicle.analytics.disable=true", "-Xmx192m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-Dbank.test.log=INFO", "-Dbank.log.dir=" + runDir,
        "-XX:ErrorFile=" + runDir.toAbsolutePath().resolve("hs_err_S" + id + "_%p.log"),
        "-cp", System.getProperty("java.class.path")));
    if (broken != null) {
      cmd.addAll(List.of(BrokenChaosServer.class.getName(), "S" + id, config.toString(),
          runDir.toString(), broken));
    } else {
      cmd.addAll(List.of(BankMain.class.getName(), "server", "--id", "S" + id,
          "--config", config.toString(), "--data-dir", runDir.toString(), "--fault-injection"));
      if (rejoin) {
        cmd.add("--rejoin");
      }
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    CompletableFuture<Void> serving = new CompletableFuture<>();
    process = p;
    incarnation++;
    paused = false;
    Thread reader = new Thread(() -> copyOutput(p, serving), "chaos-output-S" + id);
    reader.setDaemon(true);
    reader.start();
    try {
      serving.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new RefusedStart("S" + id + " ended before it served: " + e.getCause().getMessage());
    } catch (Exception e) {
      throw new IOException("S" + id + " did not start in " + timeoutMillis + " ms (see "
          + logFile + ")", e);
    }
  }

  /** A start that ended before the server served, e.g. a store refused without --rejoin. */
  static final class RefusedStart extends IOException {
    RefusedStart(String message) {
      super(message);
    }
  }

  /**
   * Copies the process's output to its log file; completes {@code serving} at "serving:", or
   * exceptionally with the last line if the output ends first.
   */
  private void copyOutput(Process p, CompletableFuture<Void> serving) {
    String last = "(no output)";
    try (BufferedReader r = new BufferedReader(
            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Writer log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      log.write("---- S" + id + " started, pid " + p.pid() + "\n");
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        log.write(line + "\n");
        last = line;
        if (line.contains(" serving: ")) {
          serving.complete(null);
          log.flush();
        }
      }
    } catch (IOException | RuntimeException e) {
      // the process died
    }
    serving.completeExceptionally(new IOException(last));
  }

  boolean isAlive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  int incarnation() {
    return incarnation;
  }

  boolean isPaused() {
    return paused;
  }

  /**
   * Sends transfer {@code transferId} of this server's client and waits up to {@code waitMillis}
   * for the answer, as "STATUS rounds executedIds|- reason". Returns null if it did not come in
   * time (it goes to the late-answer listener under {@code op} if it comes later) and "ERROR code"
   * if the call failed in transit. Throws {@link IOException} if the process is not running, so
   * the transfer was never sent.
   */
  String transfer(long op, long transferId, int to, long amount, long waitMillis)
      throws IOException {
    if (!isAlive()) {
      throw new IOException("S" + id + " is not running");
    }
    ListenableFuture<TransferReply> f = BankAdminGrpc.newFutureStub(channel).withWaitForReady()
        .withDeadlineAfter(WORK_MILLIS, TimeUnit.MILLISECONDS)
        .transfer(TransferRequest.newBuilder().setId(transferId).setFrom(id).setTo(to)
            .setAmount(amount).build());
    try {
      return answer(f.get(waitMillis, TimeUnit.MILLISECONDS));
    } catch (TimeoutException e) {
      f.addListener(() -> lateAnswers.accept(op, answerOf(f)), Runnable::run);
      return null;
    } catch (ExecutionException e) {
      return "ERROR " + (e.getCause() instanceof StatusRuntimeException s
          ? s.getStatus().getCode() : e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static String answerOf(ListenableFuture<TransferReply> done) {
    try {
      return answer(done.get());
    } catch (ExecutionException e) {
      return "ERROR " + (e.getCause() instanceof StatusRuntimeException s
          ? s.getStatus().getCode() : e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "ERROR interrupted";
    }
  }

  private static String answer(TransferReply r) {
    String others = r.getExecutedIdsCount() == 0 ? "-"
        : String.join(",", r.getExecutedIdsList().stream().map(String::valueOf).toList());
    return r.getStatus() + " " + r.getRoundsRun() + " " + others + " "
        + r.getReason().replace(' ', '_');
  }

  /** The admin SetConnected; false if the call failed. */
  boolean setConnected(boolean connected) {
    try {
      BankAdminGrpc.newBlockingStub(channel).withWaitForReady()
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .setConnected(ConnectRequest.newBuilder().setConnected(connected).build());
      return true;
    } catch (StatusRuntimeException e) {
      return false;
    }
  }

  /** The admin SetFaults (replaces every fault set before; empty heals); false if it failed. */
  boolean setFaults(FaultsRequest faults) {
    try {
      BankAdminGrpc.newBlockingStub(channel).withWaitForReady()
          .withDeadlineAfter(30, TimeUnit.SECONDS).setFaults(faults);
      return true;
    } catch (StatusRuntimeException e) {
      return false;
    }
  }

  /** The admin Status: true if the server's node is up; false if it is down or cannot say. */
  boolean nodeUp() {
    try {
      return BankAdminGrpc.newBlockingStub(channel).withWaitForReady()
          .withDeadlineAfter(30, TimeUnit.SECONDS).status(Empty.getDefaultInstance()).getUp();
    } catch (StatusRuntimeException e) {
      return false;
    }
  }

  /** The admin CatchUp; false if it did not catch up or the call failed. */
  boolean catchUp(long slot, long timeoutMillis) {
    try {
      return BankAdminGrpc.newBlockingStub(channel).withWaitForReady()
          .withDeadlineAfter(timeoutMillis + 10_000, TimeUnit.MILLISECONDS)
          .catchUp(CatchUpRequest.newBuilder().setSlot(slot).setTimeoutMillis(timeoutMillis)
              .build()).getCaughtUp();
    } catch (StatusRuntimeException e) {
      return false;
    }
  }

  /** The admin Status, or null if the call failed. */
  StatusReply status() {
    try {
      return BankAdminGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .status(Empty.getDefaultInstance());
    } catch (StatusRuntimeException e) {
      return null;
    }
  }

  /**
   * The admin RetryPending without a round (it executes the pending transfers the client can fund
   * now, so it never waits for a round); false if the call failed.
   */
  boolean retryPending(long timeoutMillis) {
    try {
      BankAdminGrpc.newBlockingStub(channel).withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS)
          .retryPending(RetryRequest.newBuilder().setAllowRound(false).build());
      return true;
    } catch (StatusRuntimeException e) {
      return false;
    }
  }

  /** The admin Member (does it vote, is it a new incarnation, its generation), or null. */
  MemberReply member() {
    try {
      return BankAdminGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .member(Empty.getDefaultInstance());
    } catch (StatusRuntimeException e) {
      return null;
    }
  }

  /** The server's view, or a down view if it cannot be read. */
  ServerView view() {
    try {
      return ServerView.paged(after -> {
        String json = BankAdminGrpc.newBlockingStub(channel).withWaitForReady()
            .withDeadlineAfter(60, TimeUnit.SECONDS)
            .view(ViewRequest.newBuilder().setBlocksAfterSlot(after).build()).getJson();
        try {
          return JSON.readValue(json, ServerView.class);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
    } catch (StatusRuntimeException | java.io.UncheckedIOException e) {
      return ServerView.down(id);
    }
  }

  /** kill -9. */
  void kill() {
    Process p = process;
    if (p != null) {
      p.destroyForcibly();
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    paused = false;
  }

  /** SIGSTOP (true) or SIGCONT (false). */
  void pause(boolean stop) throws IOException, InterruptedException {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return;
    }
    new ProcessBuilder("kill", stop ? "-STOP" : "-CONT", String.valueOf(p.pid()))
        .inheritIO().start().waitFor(5, TimeUnit.SECONDS);
    paused = stop;
  }

  /** Kills the process and closes the admin channel. */
  void close() {
    kill();
    channel.shutdownNow();
  }
}
