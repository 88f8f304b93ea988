package dev.modpaxos.bank;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MenuTest extends ClusterTestBase {
  private Session session;
  private Menu menu;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  @BeforeEach
  void startSession() throws Exception {
    session = new Session(cluster, new CsvSets.Parsed(OfficialFileTest.officialSets(), List.of()));
    menu = new Menu(session, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    menu.nextIteration();
    bytes.reset();
  }

  private String run(String line) {
    bytes.reset();
    assertThat(menu.execute(line)).isTrue();
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** Everything a command could change, without the timing counters. */
  private List<Object> state() {
    return cluster.views().stream()
        .map(v -> List.of(v.up(), v.connected(), v.committedSlot(), v.balanceMap(), v.localLog(),
            v.pending(), v.blocks()))
        .map(Object.class::cast)
        .toList();
  }

  @Test
  void badCommandsPrintTheirUsageAndChangeNothing() {
    List<Object> before = state();
    assertThat(run("PrintBalance")).contains("usage: PrintBalance <client>|all");
    assertThat(run("PrintBalance S9")).contains("unknown server 'S9'").contains("usage:");
    assertThat(run("printlog S1 S2")).contains("usage: PrintLog <server>|all");
    assertThat(run("PrintDB x")).contains("'x' is not a server").contains("usage: PrintDB");
    assertThat(run("CrashServer all")).contains("usage: CrashServer <server>");
    assertThat(run("CrashServer")).contains("usage: CrashServer <server>");
    assertThat(run("RecoverServer S1")).contains("S1 is up; usage: RecoverServer <server>");
    assertThat(run("NextIteration now")).contains("usage: NextIteration");
    assertThat(run("Withdraw S1 10")).contains("unknown command 'Withdraw'");
    assertThat(run("   ")).isEmpty();
    assertThat(state()).isEqualTo(before);
    assertThat(session.peekNextSet().number()).isEqualTo(2);
  }

  @Test
  void goodCommandsPrintTheWorkedSetOneState() {
    assertThat(run("PrintBalance S1")).isEqualTo("S1: 30" + System.lineSeparator());
    assertThat(run("printbalance all")).contains("S2: 70").contains("S4: 130");
    assertThat(run("PrintLog S1")).contains("S1 local log (1): (S1, S3, 75)");
    assertThat(run("PrintDB S2")).contains("S2 datastore: 1 block\n").doesNotContain("1 blocks").contains("slot 1:");
    assertThat(run("BalanceMap all")).contains("aggregate").contains("75 more is debited");
    assertThat(run("Performance all")).contains("rounds run 1").contains("cluster:");
    assertThat(run("help")).contains("PrintBalance <client>|all").contains("RecoverServer <server>")
        .contains("BalanceMap <server>|all").contains("exit");
    assertThat(run("all")).contains("S5 datastore").contains("aggregate")
        .contains("== Balances").contains("== Local logs").contains("== Datastores")
        .contains("== Performance").contains("== Balance map");
    assertThat(menu.execute("exit")).isFalse();
  }

  @Test
  void crashAndRecoverThroughTheMenu() {
    assertThat(run("CrashServer S2")).contains("S2 crashed");
    assertThat(run("CrashServer S2")).contains("already down");
    assertThat(run("PrintBalance S2")).contains("S2: unknown, its server is down");
    assertThat(run("PrintDB S2")).contains("S2 is down");
    assertThat(run("RecoverServer S2")).contains("S2 recovered at slot 1, caught up");
    assertThat(run("PrintBalance S2")).contains("S2: 70");
  }
}
