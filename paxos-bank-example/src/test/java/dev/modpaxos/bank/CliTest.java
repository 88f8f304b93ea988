package dev.modpaxos.bank;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 17's console defects: every user error is one line and exit code 1, no stack trace. */
class CliTest {
  @TempDir Path dir;

  /** Runs the command line; returns exit code, then stdout, then stderr. */
  private static List<Object> bank(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int rc;
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      rc = BankMain.run(args);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    return List.of(rc, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
  }

  private static void assertOneLineError(List<Object> r, String contains) {
    assertThat(r.get(0)).as("exit code").isEqualTo(1);
    String err = (String) r.get(2);
    assertThat(err).startsWith("bank: ").contains(contains).doesNotContain("\tat ")
        .doesNotContain("Exception");
    assertThat(err.strip().lines()).as(err).hasSize(1);
  }

  @Test
  void aTakenPortForTheWebViewOrTheMetricsIsOneLineAndStartsNothing() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getByName("127.0.0.1"))) {
      String port = String.valueOf(taken.getLocalPort());
      Path data = dir.resolve("never");
      assertOneLineError(bank("run", "--web-port", port, "--data-dir", data.toString()),
          "--web: cannot listen on 127.0.0.1:" + port + " (the port is in use)");
      assertOneLineError(bank("run", "--metrics-port", port, "--data-dir", data.toString()),
          "--metrics-port: cannot listen on 127.0.0.1:" + port + " (the port is in use)");
      assertOneLineError(bank("run", "--metrics-port", "70000", "--data-dir", data.toString()),
          "--metrics-port: port must be in 0..65535");
      assertThat(data).doesNotExist();
    }
  }

  @Test
  void aMissingFileIsOneLine() {
    assertOneLineError(bank("run", "--transport", "local", dir.resolve("nope.csv").toString()),
        "nope.csv: no such file");
  }

  @Test
  void aBinaryFileIsOneLine() throws Exception {
    Path f = Files.write(dir.resolve("bin.csv"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2});
    assertOneLineError(bank("run", "--transport", "local", f.toString()), "not a UTF-8 text file");
  }

  @Test
  void anEmptyFileIsAnErrorWithExitCodeOne() throws Exception {
    Path f = Files.writeString(dir.resolve("empty.csv"), "");
    assertOneLineError(bank("run", "--transport", "local", f.toString()), "is empty");
  }

  @Test
  void aFileWithNoUsableSetIsAnErrorWithItsRowsListed() throws Exception {
    Path f = Files.writeString(dir.resolve("bad.csv"), "hello,world\nnot,a,set\n");
    List<Object> r = bank("run", "--transport", "local", f.toString());
    assertThat(r.get(0)).isEqualTo(1);
    assertThat((String) r.get(2)).contains("rejected line").contains("holds no set that can run")
        .doesNotContain("\tat ");
  }

  @Test
  void anUnknownServerIdIsOneLine() throws Exception {
    Path conf = Files.writeString(dir.resolve("c.conf"), ClusterConfig.localhost(7100));
    assertOneLineError(bank("server", "--id", "S9", "--config", conf.toString()),
        "unknown server 'S9'");
  }

  @Test
  void aBadCompactEveryIsOneLineInBothModes() throws Exception {
    for (String bad : List.of("0", "-3", "ten", "2000000")) {
      assertOneLineError(bank("run", "--transport", "local", "--compact-every", bad),
          "--compact-every takes a number of slots from 1 to 1000000, got '" + bad + "'");
    }
    Path conf = Files.writeString(dir.resolve("c.conf"), ClusterConfig.localhost(7100));
    assertOneLineError(bank("server", "--id", "S1", "--config", conf.toString(),
        "--data-dir", dir.toString(), "--compact-every", "x"), "--compact-every takes");
    assertThat(dir.resolve("S1")).as("nothing was created").doesNotExist();
  }

  @Test
  void aMissingClusterFileIsOneLine() {
    assertOneLineError(bank("server", "--id", "S1", "--config", dir.resolve("x.conf").toString()),
        "no such file");
    assertOneLineError(bank("driver", "--config", dir.resolve("x.conf").toString()),
        "no such file");
  }

  @Test
  void aReusedDataDirIsRefusedWithAWayOut() throws Exception {
    new RunRecord("bundled lab1_Test.csv", 3, List.of(), List.of()).write(dir);
    assertOneLineError(bank("run", "--data-dir", dir.toString()), "add --resume");
    Files.createDirectories(dir.resolve("other/S1"));
    Files.writeString(dir.resolve("other/S1/x"), "x");
    assertOneLineError(bank("run", "--data-dir", dir.resolve("other").toString()),
        "no run record");
  }

  @Test
  void theShippedLogbackConfigurationIsWellFormed() throws Exception {
    // Tests run with logback-test.xml; a broken logback.xml would print a stack trace on every
    // start of the jar.
    javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(Path.of("src/main/resources/logback.xml").toFile());
  }

  @Test
  void privateKeysAreReadableByTheirOwnerOnly() throws Exception {
    BankPki.create(dir.resolve("pki"));
    try (var files = Files.list(dir.resolve("pki"))) {
      List<Path> keys = files.filter(p -> p.toString().endsWith(".key")).toList();
      assertThat(keys).hasSizeGreaterThanOrEqualTo(6);
      for (Path k : keys) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(k)))
            .as("%s", k).isEqualTo("rw-------");
      }
    }
  }

  @Test
  void oldRunsArePrunedToTheNewestFewAndCleanRemovesTheRest() throws Exception {
    Path data = dir.resolve("data");
    for (int i = 1; i <= 5; i++) {
      Files.createDirectories(data.resolve("run-" + i + "/S1"));
      Files.writeString(data.resolve("run-" + i + "/S1/f"), "x".repeat(10));
    }
    Files.createDirectories(data.resolve("mp"));
    ByteArrayOutputStream said = new ByteArrayOutputStream();
    assertThat(DataDirs.pruneRuns(data, 3, new PrintStream(said, true, StandardCharsets.UTF_8)))
        .isEqualTo(2);
    assertThat(said.toString(StandardCharsets.UTF_8)).contains("removed 2 old runs")
        .contains("keeping the newest 3").contains("./bank clean");
    try (var left = Files.list(data)) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("run-3", "run-4", "run-5", "mp");
    }
    List<Object> r = bank("clean", "--data-dir", data.toString());
    assertThat(r.get(0)).isEqualTo(0);
    assertThat((String) r.get(1)).contains("removed 3 old runs");
    try (var left = Files.list(data)) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("mp");
    }
  }
}
