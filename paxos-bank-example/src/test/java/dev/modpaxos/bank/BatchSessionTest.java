package dev.modpaxos.bank;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The batch mode with a report, as {@code ./bank run --batch --report r.json < commands} runs it. */
class BatchSessionTest {
  @TempDir Path dir;

  private JsonNode runBatch(String csv, String commands, ByteArrayOutputStream out) throws Exception {
    Path report = dir.resolve("r.json");
    try (LocalBackend backend = new LocalBackend();
        Cluster cluster = InJvmCluster.start(backend, 5, 5_000)) {
      int rc = BankMain.runSession("test", CsvSets.parse(csv, 0), cluster, report, false,
          new ByteArrayInputStream(commands.getBytes(StandardCharsets.UTF_8)),
          new PrintStream(out, true, StandardCharsets.UTF_8));
      assertThat(rc).isZero();
    }
    return new ObjectMapper().readTree(report.toFile());
  }

  @Test
  void officialFileThroughEverySetWritesTheReport() throws Exception {
    String commands = "NextIteration\n".repeat(7) + "PrintBalance all\nexit\nNextIteration\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    JsonNode r = runBatch(BankMain.readInput(null), commands, out);
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("Set 8 done").contains("bank> exit").doesNotContain("All 8 sets");
    assertThat(r.get("sets")).hasSize(8);
    assertThat(r.at("/sets/0/executed").asInt()).isEqualTo(5);
    assertThat(r.at("/sets/3/live").toString()).isEqualTo("[\"S4\",\"S5\"]");
    assertThat(r.at("/servers/S1/blocks/0/slot").asInt()).isEqualTo(1);
    assertThat(r.at("/servers/S1/blocks/0/entries/0/from").asText()).startsWith("S");
    assertThat(r.at("/servers/S3/balanceMap/S1").isNumber()).isTrue();
    assertThat(r.at("/performance/S1/roundsRun").asInt()).isPositive();
    assertThat(r.at("/performance/cluster/transfersChosen").asInt()).isPositive();
    long total = 0;
    for (JsonNode s : r.get("servers")) {
      total += s.get("balance").asLong();
      for (JsonNode t : s.get("localLog")) {
        total += t.get("amount").asLong();
      }
    }
    assertThat(total).as("balances plus local-log debits, all servers caught up").isEqualTo(500);
  }

  @Test
  void badFileRowsAreReportedAndTheRestRuns() throws Exception {
    String csv = "1,\"(S1, S2, 10)\",\"[S1, S2, S3]\"\n,\"(S1, S6, 10)\",\n,\"(S2, S1, 5)\",\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    JsonNode r = runBatch(csv, "", out);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("rejected line 2: transfer (S1, S6, 10): unknown server 'S6'");
    assertThat(r.at("/sets/0/executed").asInt()).isEqualTo(2);
    assertThat(r.at("/sets/0/rejected").asInt()).isEqualTo(1);
    assertThat(r.at("/rejectedRows/0/line").asInt()).isEqualTo(2);
    assertThat(r.at("/servers/S1/balance").asInt()).isEqualTo(90);
  }
}
