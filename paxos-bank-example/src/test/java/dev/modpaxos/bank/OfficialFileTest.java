package dev.modpaxos.bank;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.bank.ServerView.TransferView;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The official input file end to end, single JVM, local transport and in-memory stores. */
class OfficialFileTest extends ClusterTestBase {

  static List<TransferSet> officialSets() throws IOException {
    try (InputStream in = OfficialFileTest.class.getResourceAsStream("/lab1_Test.csv")) {
      CsvSets.Parsed p = CsvSets.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), 0);
      assertThat(p.allProblems()).isEmpty();
      assertThat(p.sets()).hasSize(8);
      return p.sets();
    }
  }

  @Test
  void everySetKeepsTheInvariantsAndSetOneEndsAsWorkedOut() throws IOException {
    SetRunner runner = new SetRunner(cluster);
    for (TransferSet set : officialSets()) {
      SetRunner.SetOutcome o = runner.run(set);
      BankChecks.checkAll(cluster);
      if (set.number() == 1) {
        checkSetOne();
      }
      if (set.number() == 4) {
        assertThat(o.chosenSlots()).as("set 4 (S4, S5 live) chooses nothing").isZero();
      }
      assertThat(o.executed() + o.pending()).isEqualTo(set.transfers().size());
      assertThat(Printer.footnote(cluster.views(), aggregate()))
          .as("set %d: the footnote accounts for every unit", set.number())
          .satisfiesAnyOf(f -> assertThat(f).endsWith("; 500 in all)"),
              f -> assertThat(aggregate()).isEqualTo(500));
    }
    long lateInSummaries = runner.outcomes().stream().mapToInt(SetRunner.SetOutcome::earlierExecuted)
        .sum();
    long lateExecuted = runner.tracked().stream()
        .filter(t -> t.status() == TransferResult.Status.EXECUTED).count()
        - runner.outcomes().stream().mapToInt(SetRunner.SetOutcome::executed).sum();
    assertThat(lateExecuted).as("(S4, S5, 85) of set 4 executes later").isPositive();
    assertThat(lateInSummaries).as("late executions are counted in a set's summary")
        .isEqualTo(lateExecuted);
  }

  private long aggregate() {
    return cluster.views().stream().filter(ServerView::up)
        .mapToLong(ServerView::balance).sum();
  }

  private void checkSetOne() {
    ServerView s1 = cluster.server(1).view();
    assertThat(s1.blocks()).hasSize(1);
    assertThat(s1.blocks().get(0).entries().stream().map(TransferView::toString))
        .containsExactlyInAnyOrder("(S1, S3, 45)", "(S3, S5, 55)", "(S2, S4, 30)", "(S5, S1, 50)");
    assertThat(s1.balance()).isEqualTo(30);
    assertThat(s1.localLog().stream().map(TransferView::toString)).containsExactly("(S1, S3, 75)");
    assertThat(s1.performance().roundsRun()).as("S1 ran the round").isEqualTo(1);
    for (int id = 2; id <= 5; id++) {
      assertThat(cluster.server(id).view().performance().roundsRun()).isZero();
    }
  }
}
