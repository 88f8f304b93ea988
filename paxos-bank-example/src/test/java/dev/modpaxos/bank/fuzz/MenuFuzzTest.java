package dev.modpaxos.bank.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.bank.Cluster;
import dev.modpaxos.bank.CsvSets;
import dev.modpaxos.bank.InJvmCluster;
import dev.modpaxos.bank.LocalBackend;
import dev.modpaxos.bank.Menu;
import dev.modpaxos.bank.Session;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Fuzzes the menu: random command lines and mutations of valid ones go through {@link
 * Menu#execute} on a live five-server cluster (in-JVM, after one set has run, so balances, local
 * logs and blocks are non-trivial). Valid lines may run (a mutation of "CrashServer S2" may well
 * crash S3); a rejected line must print one line, its usage or "unknown command", and change
 * nothing: up/connected, slots, balance maps, local logs, pending queues and blocks are compared.
 */
class MenuFuzzTest {
  private static final List<String> VALID = List.of(
      "PrintBalance S1", "PrintBalance all", "PrintLog S2", "PrintLog all", "PrintDB S3",
      "PrintDB all", "Performance S4", "Performance all", "BalanceMap S5", "BalanceMap all",
      "NextIteration", "CrashServer S2", "RecoverServer S2", "all", "help", "exit");
  private static LocalBackend backend;
  private static Cluster cluster;
  private static Session session;

  @BeforeContainer
  static void startCluster() {
    backend = new LocalBackend();
    cluster = InJvmCluster.start(backend, 5, 2_000);
    String oneSet = "1,\"(S1, S3, 45)\",\"[S1, S2, S3, S4, S5]\"\r\n,\"(S3, S5, 55)\",\r\n"
        + ",\"(S1, S2, 500)\",\r\n";
    session = new Session(cluster, CsvSets.parse(oneSet, 0));
    new Menu(session, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
        .nextIteration();
  }

  @AfterContainer
  static void stopCluster() {
    cluster.close();
    backend.close();
  }

  @Property(tries = 10_000)
  void randomLines(@ForAll("randomLines") String line) {
    execute(line);
  }

  @Property(tries = 10_000)
  void mutatedLines(@ForAll("validLines") String line, @ForAll("mutations") List<int[]> mutations) {
    execute(TextMutator.apply(line, mutations));
  }

  private static void execute(String line) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Menu menu = new Menu(session, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    List<Object> before = state();
    boolean goOn = menu.execute(line);
    String out = bytes.toString(StandardCharsets.UTF_8);
    if (out.contains("usage:") || out.contains("unknown command")) {
      Statistics.collect("rejected");
      assertThat(out.lines().count()).as("rejection of '%s': %s", line, out).isEqualTo(1);
      assertThat(goOn).isTrue();
      assertThat(state()).as("state after rejected '%s'", line).isEqualTo(before);
    } else {
      Statistics.collect(line.isBlank() ? "blank" : "ran");
      assertThat(goOn || line.trim().equalsIgnoreCase("exit")).isTrue();
    }
  }

  /** Everything a command could change, without the timing counters (as MenuTest does). */
  private static List<Object> state() {
    return cluster.views().stream()
        .map(v -> List.of(v.up(), v.connected(), v.committedSlot(), v.balanceMap(), v.localLog(),
            v.pending(), v.blocks()))
        .map(Object.class::cast)
        .toList();
  }

  @Provide
  Arbitrary<String> randomLines() {
    Arbitrary<String> word = Arbitraries.oneOf(
        Arbitraries.of(Menu.words()),
        Arbitraries.of("S1", "s5", "S0", "S6", "all", "ALL", "3", "-1", "S99999999999", "", " ",
            "\t"),
        TextMutator.randomText(12));
    return Arbitraries.oneOf(
        TextMutator.randomText(40),
        Combinators.combine(word, word).as((a, b) -> a + " " + b),
        Combinators.combine(word, word, word).as((a, b, c) -> a + " " + b + " " + c));
  }

  @Provide
  Arbitrary<String> validLines() {
    return Arbitraries.of(VALID);
  }

  @Provide
  Arbitrary<List<int[]>> mutations() {
    return TextMutator.mutations(3);
  }
}
