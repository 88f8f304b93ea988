package dev.modpaxos.bank;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.bank.ServerView.TransferView;
import dev.modpaxos.bank.TransferResult.Status;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CrashRecoverTest extends ClusterTestBase {

  @Test
  void crashedServerRecoversCatchesUpAndLosesNothingItAcknowledged() throws Exception {
    List<TransferSet> sets = OfficialFileTest.officialSets();
    SetRunner runner = new SetRunner(cluster);
    runner.run(sets.get(0));
    runner.run(sets.get(1));
    List<TransferView> s3Log = cluster.server(3).view().localLog();
    assertThat(s3Log).extracting(TransferView::toString).contains("(S3, S5, 50)");

    cluster.crash(3); // set 3 then has S1, S2 live: no majority, S3's transfers undelivered
    runner.run(sets.get(2));
    BankChecks.checkAll(cluster);
    assertThat(runner.tracked()).filteredOn(t -> t.transfer().from() == 3)
        .extracting(SetRunner.Tracked::status).contains(Status.UNDELIVERED);

    assertThat(cluster.recover(3)).isTrue();
    assertThat(cluster.server(3).view().localLog()).as("restored from its store").isEqualTo(s3Log);
    assertThat(cluster.server(3).appliedSlot()).isEqualTo(cluster.server(1).appliedSlot());
    runner.resendAfterRecovery(3);
    BankChecks.checkAll(cluster);

    for (TransferSet set : sets.subList(3, sets.size())) {
      runner.run(set);
      BankChecks.checkAll(cluster);
    }
    assertEveryAcknowledgedTransferSurvives(runner);
  }

  private void assertEveryAcknowledgedTransferSurvives(SetRunner runner) {
    Set<Long> kept = new HashSet<>();
    for (ServerView v : cluster.views()) {
      v.blocks().forEach(b -> b.entries().forEach(t -> kept.add(t.id())));
      v.localLog().forEach(t -> kept.add(t.id()));
    }
    for (SetRunner.Tracked t : runner.tracked()) {
      if (t.status() == Status.EXECUTED) {
        assertThat(kept).as("acknowledged %s kept", t.transfer()).contains(t.transfer().id());
      }
    }
  }
}
