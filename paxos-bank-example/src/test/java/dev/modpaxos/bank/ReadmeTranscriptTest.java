package dev.modpaxos.bank;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's bank transcript is a real run: the official file on gRPC and Chronicle stores, as
 * {@code printf '...' | ./bank run --batch} prints it. The test fails when the README's block
 * differs from this run in anything but timings and the data directory; {@code
 * -Dreadme.update=true} rewrites the block from the run instead.
 */
class ReadmeTranscriptTest {
  static final String COMMANDS = "PrintBalance all\nPrintLog S1\nPrintDB S1\nNextIteration\n"
      + "NextIteration\nNextIteration\nPrintLog S4\nBalanceMap S4\nexit\n";
  private static final String BEGIN = "<!-- BANK-TRANSCRIPT:BEGIN (written by ReadmeTranscriptTest) -->";
  private static final String END = "<!-- BANK-TRANSCRIPT:END -->";

  @TempDir Path dir;

  private String run() throws Exception {
    List<Integer> ports = Ports.free(Servers.COUNT);
    Path data = dir.resolve("data/run-1");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GrpcChronicleBackend backend = new GrpcChronicleBackend(
            GrpcChronicleBackend.loopbackMembers(id -> ports.get(id - 1)), data, null, true);
        Cluster cluster = InJvmCluster.start(backend, 10, 10_000)) {
      BankMain.runSession("bundled " + BankMain.BUNDLED, CsvSets.parse(BankMain.readInput(null), 0),
          cluster, null, false, new ByteArrayInputStream(COMMANDS.getBytes(StandardCharsets.UTF_8)),
          new PrintStream(out, true, StandardCharsets.UTF_8));
    }
    return out.toString(StandardCharsets.UTF_8).replace(data.toString(), "data/run-1795553755593");
  }

  /** What may differ between two runs: times, and the order of a block's entries. */
  static String masked(String s) {
    StringBuilder out = new StringBuilder();
    for (String line : s.replaceAll("\\d+ ms", "# ms").split("\n", -1)) {
      if (line.startsWith("  slot ")) {
        int colon = line.indexOf(": ") + 2;
        List<String> entries = new java.util.ArrayList<>(
            List.of(line.substring(colon).split("(?<=\\)) ")));
        java.util.Collections.sort(entries);
        line = line.substring(0, colon) + String.join(" ", entries);
      }
      out.append(line).append('\n');
    }
    return out.toString();
  }

  @Test
  void theReadmeTranscriptIsThisRun() throws Exception {
    String transcript = run();
    assertThat(masked(transcript)).contains("S1: 30")
        .contains("slot 1: (S1, S3, 45) (S2, S4, 30) (S3, S5, 55) (S5, S1, 50)")
        .contains("S4 pending (1): (S4, S5, 85)").contains("; 500 in all)");
    Path readme = Path.of("..", "README.md");
    String text = Files.readString(readme);
    int b = text.indexOf(BEGIN);
    int e = text.indexOf(END);
    assertThat(b).as("README has the transcript markers").isNotNegative();
    String block = "```\n" + transcript + "```\n";
    if (Boolean.getBoolean("readme.update")) {
      Files.writeString(readme, text.substring(0, b + BEGIN.length()) + "\n" + block
          + text.substring(e));
      return;
    }
    assertThat(masked(text.substring(b + BEGIN.length() + 1, e)))
        .as("README transcript; rewrite it with -Dreadme.update=true").isEqualTo(masked(block));
  }
}
