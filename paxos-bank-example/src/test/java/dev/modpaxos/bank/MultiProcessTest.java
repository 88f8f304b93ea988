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
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.addAll(List.of(System.getProperty("bank.test.jvmFlags", "").split(" ")));
    cmd.addAll(List.of("-Dchronicle.analytics.disable=true", "-Dbank.log.dir=" + dir,
        "-cp", System.getProperty("java.class.path"), BankMain.class.getName(),
        "server", "--id", Servers.name(id), "--config", config.toString(),
        "--data-dir", dir.resolve("data").toString()));
    cmd.removeIf(String::isEmpty);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("server-" + id + ".out").toFile()).start();
    processes.add(p);
    return p;
  }

  @Test
  void officialFileAcrossFiveProcessesWithCrashAndRecovery() throws Exception {
    List<Integer> ports = Ports.free(2 * Servers.COUNT);
    StringBuilder conf = new StringBuilder();
    for (int id : Servers.IDS) {
      conf.append("S").append(id).append(".paxos = 127.0.0.1:").append(ports.get(id - 1))
          .append("\nS").append(id).append(".admin = 127.0.0.1:").append(ports.get(4 + id))
          .append('\n');
    }
    Path config = Files.writeString(dir.resolve("cluster.conf"), conf);
    for (int id : Servers.IDS) {
      startServer(id, config);
    }
    List<TransferSet> sets = OfficialFileTest.officialSets();
    try (Cluster cluster = MultiProcess.connect(ClusterConfig.load(config))) {
      MultiProcess.awaitReachable(cluster);
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
