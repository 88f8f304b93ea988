package dev.modpaxos.bank;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
    List<String> cmd = BankJvm.command("256m", dir, "server", "--id", Servers.name(id),
        "--config", config.toString(), "--data-dir", dir.resolve("data").toString());
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
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    Path out = outputs.get(p);
    while (!Files.readString(out).contains(" serving: ")) {
      assertThat(p.isAlive()).as("server exited; see %s", out).isTrue();
      assertThat(System.nanoTime()).as("server ready; see %s", out).isLessThan(deadline);
      Thread.sleep(50);
    }
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

  private Cluster startAll(Path config) throws Exception {
    List<Process> started = new ArrayList<>();
    for (int id : Servers.IDS) {
      started.add(startServer(id, config));
    }
    for (Process p : started) {
      awaitServing(p);
    }
    Cluster cluster = MultiProcess.connect(ClusterConfig.load(config));
    assertThat(MultiProcess.awaitServers(cluster, 60_000, System.err)).isEmpty();
    cluster.warmUp(300);
    return cluster;
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
