package dev.modpaxos.bank;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Five real server processes on 127.0.0.1 and an in-test driver: the official file end to end
 * through the admin RPC, with a crash and a recovery, and a server process killed outright.
 */
class MultiProcessTest {
  @TempDir Path dir;
  private final List<Process> processes = new ArrayList<>();
  private final java.util.Map<Process, Path> outputs = new java.util.HashMap<>();

  @AfterEach
  void stopServers() throws InterruptedException {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  private Process startServer(int id, Path config) throws Exception {
    MultiProcess.initStore(dir.resolve("data"), id); // `bank init`; a no-op on a restart
    return startServerOnItsStore(id, config);
  }

  /** {@code bank server} without {@code bank init} first, with {@code extra} arguments. */
  private Process startServerOnItsStore(int id, Path config, String... extra) throws Exception {
    List<String> cmd = BankJvm.command("256m", dir, "server", "--id", Servers.name(id),
        "--config", config.toString(), "--data-dir", dir.resolve("data").toString());
    cmd.addAll(List.of(extra));
    Path out = dir.resolve("server-" + id + "-" + System.nanoTime() + ".out");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(out.toFile()).start();
    processes.add(p);
    outputs.put(p, out);
    return p;
  }

  /**
   * Waits until the process says it serves (readiness, not a fixed time). The bound only keeps a
   * broken build from hanging the suite; a loaded machine may need most of it.
   */
  private void awaitServing(Process p) throws Exception {
    awaitOutput(p, " serving: ", System.nanoTime() + TimeUnit.MINUTES.toNanos(5));
  }

  /** Polls {@code p}'s output until it holds {@code what}; fails if it exits or past the deadline. */
  private String awaitOutput(Process p, String what, long deadlineNanos) throws Exception {
    Path out = outputs.get(p);
    String text;
    while (!(text = Files.readString(out)).contains(what)) {
      assertThat(p.isAlive()).as("process exited; see %s", out).isTrue();
      assertThat(System.nanoTime()).as("'%s' in %s", what, out).isLessThan(deadlineNanos);
      Thread.sleep(50);
    }
    return text;
  }

  private Path writeConfig() throws Exception {
    List<Integer> ports = Ports.free(2 * Servers.COUNT);
    StringBuilder conf = new StringBuilder();
    for (int id : Servers.IDS) {
      conf.append("S").append(id).append(".paxos = 127.0.0.1:").append(ports.get(id - 1))
          .append("\nS").append(id).append(".admin = 127.0.0.1:").append(ports.get(4 + id))
          .append('\n');
    }
    return Files.writeString(dir.resolve("cluster.conf"), conf);
  }

  private void startAllServers(Path config) throws Exception {
    List<Process> started = new ArrayList<>();
    for (int id : Servers.IDS) {
      started.add(startServer(id, config));
    }
    for (Process p : started) {
      awaitServing(p);
    }
  }

  private static boolean allFound(List<Pattern> patterns, String text) {
    return patterns.stream().allMatch(p -> p.matcher(text).find());
  }

  private Cluster startAll(Path config) throws Exception {
    startAllServers(config);
    Cluster cluster = MultiProcess.connect(ClusterConfig.load(config));
    assertThat(MultiProcess.awaitServers(cluster, 60_000, System.err)).isEmpty();
    cluster.warmUp(300);
    return cluster;
  }

  /**
   * {@code bank driver --web} as its own process: its page's state, fed by the servers' Watch and
   * View admin calls, shows the five servers up, set 1's outcome, S1 at 30 with {@code (S1, S3,
   * 75)} in its local log, and S1's round with its phases. Bounded: 90 s from the driver's start
   * (the servers' start has its own bound), polling for the condition, never a fixed sleep.
   */
  @Test
  void theDriversWebViewShowsTheFiveServersAndSetOne() throws Exception {
    Path config = writeConfig();
    startAllServers(config);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    Path out = dir.resolve("driver-" + System.nanoTime() + ".out");
    Process driver = new ProcessBuilder(BankJvm.command("256m", dir, "driver", "--config",
        config.toString(), "--web", "--batch", "--wait-seconds", "60"))
        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    processes.add(driver);
    outputs.put(driver, out);
    Matcher m = Pattern
        .compile("Web view: (http://127\\.0\\.0\\.1:\\d+/)")
        .matcher(awaitOutput(driver, "Type help", deadline)); // printed after the address
    assertThat(m.find()).as("the printed address in %s", out).isTrue();
    URI state = URI.create(m.group(1) + "state");
    HttpClient http = HttpClient.newHttpClient();
    // What the page must show once set 1 is done and the pollers caught up. Ballots are matched
    // by pattern: how many a round took depends on the machine, S1 leading and its slot do not.
    List<Pattern> shown = new ArrayList<>(List.of(
        Pattern.compile(Pattern.quote("\"title\":\"5 server processes over gRPC, Chronicle"
            + " stores\",\"set\":{\"number\":1,\"live\":\"[S1, S2, S3, S4, S5]\","
            + "\"running\":false,\"summary\":\"Set 1 done (live [S1, S2, S3, S4, S5]):"
            + " 5 executed, 0 pending, 0 rejected;")),
        Pattern.compile("\"server\":\"S1\",\"state\":\"up\",\"promised\":\"\\(\\d+, S1\\)\","
            + "\"leader\":true,\"committedSlot\":[1-9]\\d*,"
            + "\"localLog\":\\[\"\\(S1, S3, 75\\)\"\\],\"pending\":\\[\\],\"balance\":30,"),
        Pattern.compile("\\{\"proposer\":\"S1\",\"ballot\":\"\\(\\d+, S1\\)\",\"slot\":1,"
            + "\"prepare\":\\[[^\\]]+\\],\"promise\":\\[[^\\]]+\\],\"accept\":\\[[^\\]]+\\],"
            + "\"accepted\":\\[[^\\]]+\\],\"commit\":\\[\"S")));
    for (int id : Servers.IDS) {
      shown.add(Pattern.compile("\"server\":\"S" + id + "\",\"state\":\"up\",\"promised\":"
          + "\"[^\"]+\",\"leader\":(true|false),\"committedSlot\":[1-9]"));
    }
    String json = "";
    while (!allFound(shown, json) && System.nanoTime() < deadline) {
      assertThat(driver.isAlive()).as("the driver exited; see %s", out).isTrue();
      Thread.sleep(100);
      json = http.send(HttpRequest.newBuilder(state).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    }
    for (Pattern p : shown) {
      assertThat(p.matcher(json).find()).as("the page shows %s; its state: %s", p, json).isTrue();
    }
    try (Writer stdin = new OutputStreamWriter(driver.getOutputStream(),
        StandardCharsets.UTF_8)) {
      stdin.write("exit\n");
    }
    assertThat(driver.waitFor(30, TimeUnit.SECONDS)).as("the driver exits").isTrue();
    assertThat(driver.exitValue()).as("see %s", out).isZero();
  }

  @Test
  void aServerKilledMidSetAndRestartedLosesNothing() throws Exception {
    Path config = writeConfig();
    List<TransferSet> sets = OfficialFileTest.officialSets();
    try (Cluster cluster = startAll(config)) {
      SetRunner runner = new SetRunner(cluster);
      runner.run(sets.get(0));
      // Set 2 has S3's (S3, S1, 55) and (S3, S5, 50): kill -9 S3 while the set runs, then
      // restart it with the same command, as issue 17 did by hand.
      Thread killer = new Thread(() -> {
        try {
          Thread.sleep(20);
          processes.get(2).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      killer.start();
      runner.run(sets.get(1));
      killer.join();
      Process again = startServer(3, config);
      awaitServing(again);
      // The driver notices the new incarnation at once and re-sends what S3 is owed, in order.
      List<String> notes = runner.resync();
      for (TransferSet set : sets.subList(2, sets.size())) {
        runner.run(set);
      }
      runner.resync();
      for (SetRunner.Tracked t : runner.tracked()) {
        assertThat(t.status()).as("%s (notes %s)", t.transfer(), notes)
            .isIn(TransferResult.Status.EXECUTED, TransferResult.Status.PENDING);
      }
      BankChecks.checkAll(cluster);
      assertThat(cluster.server(3).isUp()).isTrue();
    }
    try (var files = Files.list(dir)) {
      List<Path> s3 = files.filter(p -> p.getFileName().toString().startsWith("output_S3_"))
          .toList();
      assertThat(s3).as("S3 writes its own log file").isNotEmpty();
      for (String line : Files.readAllLines(s3.get(0))) {
        if (!line.isBlank() && Character.isDigit(line.charAt(0))) {
          assertThat(line).as("every line names its server").contains(" S3 [");
        }
      }
    }
  }

  /**
   * Issue 13: S3 is killed and its data directory deleted. {@code bank server} refuses the empty
   * directory with one line naming {@code --rejoin}; with {@code --rejoin} it starts as a new
   * incarnation, is re-admitted under generation 2 and says so; ReplaceServer reports it, and
   * refuses bad input with one line; the admin replaceMember works and fails with its reason.
   * Bounded by the servers' start and each poll's deadline; nothing asserts a duration.
   */
  @Test
  void aWipedServerRejoinsUnderANewGeneration() throws Exception {
    Path config = writeConfig();
    List<TransferSet> sets = OfficialFileTest.officialSets();
    try (Cluster cluster = startAll(config)) {
      Session session = new Session(cluster, new CsvSets.Parsed(sets, List.of()));
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      Menu menu = new Menu(session, new java.io.PrintStream(bytes, true, StandardCharsets.UTF_8));
      java.util.function.Function<String, String> run = line -> {
        bytes.reset();
        menu.execute(line);
        return bytes.toString(StandardCharsets.UTF_8);
      };
      menu.nextIteration();
      assertThat(cluster.server(3).view().localLog()).as("nothing of S3's is lost").isEmpty();
      assertThat(run.apply("ReplaceServer")).contains("usage: ReplaceServer <server>");
      assertThat(run.apply("ReplaceServer S9")).contains("unknown server 'S9'");
      assertThat(run.apply("ReplaceServer S1"))
          .contains("S1 did not lose its state (generation 1, voting)");

      processes.get(2).destroyForcibly().waitFor(10, TimeUnit.SECONDS); // kill -9 S3
      deleteRecursively(dir.resolve("data").resolve("S3"));
      assertThat(run.apply("ReplaceServer S3")).contains("S3 is down").contains("--rejoin");
      Process refused = startServerOnItsStore(3, config);
      assertThat(refused.waitFor(2, TimeUnit.MINUTES)).isTrue();
      String said = Files.readString(outputs.get(refused));
      assertThat(refused.exitValue()).as(said).isEqualTo(1);
      assertThat(said.lines().filter(l -> l.contains("--rejoin")).toList()).as(said)
          .singleElement().asString().startsWith("bank: S3's store in").contains("is empty");
      assertThat(said).as("no stack trace on the console").doesNotContain("\tat ");

      Process rejoined = startServerOnItsStore(3, config, "--rejoin");
      awaitServing(rejoined);
      assertThat(awaitOutput(rejoined, "S3 re-admitted as generation 2: it votes again",
          System.nanoTime() + TimeUnit.SECONDS.toNanos(60))).contains("new incarnation");
      assertThat(run.apply("ReplaceServer S3")).contains("S3 re-admitted as generation 2");
      assertThat(cluster.server(1).replaceMember(3, 1))
          .isEqualTo(new ServerHandle.ReplaceResult(true, 2, ""));
      assertThat(cluster.server(1).replaceMember(1, 1).reason()).contains("cannot re-admit itself");
      ServerHandle.ReplaceResult none = cluster.server(2).replaceMember(3, 2);
      assertThat(none.ok()).isFalse();
      assertThat(none.reason()).as("no third incarnation of S3 asked").contains("replace member 3");

      menu.nextIteration();
      BankChecks.checkAll(cluster);
      assertThat(cluster.server(3).memberStatus().voting()).isTrue();
    }
  }

  private static void deleteRecursively(Path p) throws java.io.IOException {
    try (java.util.stream.Stream<Path> walk = Files.walk(p)) {
      for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }

  @Test
  void officialFileAcrossFiveProcessesWithCrashAndRecovery() throws Exception {
    Path config = writeConfig();
    List<TransferSet> sets = OfficialFileTest.officialSets();
    try (Cluster cluster = startAll(config)) {
      for (int id : Servers.IDS) {
        assertThat(cluster.server(id).isUp()).as("S%d up; see %s", id, dir).isTrue();
      }
      SetRunner runner = new SetRunner(cluster);
      for (TransferSet set : sets) {
        if (set.number() == 5) {
          cluster.crash(2);
          assertThat(cluster.server(2).isUp()).isFalse();
        }
        SetRunner.SetOutcome o = runner.run(set);
        if (set.number() == 5) {
          assertThat(cluster.recover(2)).isTrue();
          runner.resendAfterRecovery(2);
        }
        BankChecks.checkAll(cluster);
        if (set.number() == 1) {
          assertThat(cluster.server(1).view().balance()).isEqualTo(30);
        }
        if (set.number() == 4) {
          assertThat(o.chosenSlots()).isZero();
        }
      }
      processes.get(4).destroyForcibly().waitFor(10, TimeUnit.SECONDS); // kill -9 S5
      assertThat(cluster.server(5).isUp()).isFalse();
      assertThat(cluster.server(5).transfer(new Transfer(999, 5, 1, 1)).status())
          .isEqualTo(TransferResult.Status.UNDELIVERED);
    }
    assertThat(new File(dir.toFile(), "data/S1").isDirectory()).isTrue();
  }
}
