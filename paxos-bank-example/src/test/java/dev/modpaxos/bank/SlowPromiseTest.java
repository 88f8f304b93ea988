package dev.modpaxos.bank;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.bank.ServerView.TransferView;
import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.Message.Promise;
import dev.modpaxos.protocol.Stamp;
import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.Transport;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 17: set 1's outcome must not depend on how fast S5's promise is. A promise that is late
 * (as on a loaded machine) is still waited for; a promise that is lost leaves S5's log out of the
 * round, and the driver runs another round rather than leave {@code (S1, S3, 75)} pending.
 */
class SlowPromiseTest {
  private static final ScheduledExecutorService LATER = Executors.newSingleThreadScheduledExecutor(
      r -> {
        Thread t = new Thread(r, "slow-promises");
        t.setDaemon(true);
        return t;
      });

  private Cluster cluster;
  private LocalBackend local;

  /**
   * The local backend, except that S5's promises are delayed, or those of the first rounds it
   * answers dropped.
   */
  private final class SlowS5Backend implements ClusterBackend {
    final long delayMillis;
    final AtomicInteger dropsLeft;
    // The ballots whose promises S5 loses: every promise of the first `drops` rounds it answers.
    final java.util.Set<Object> lostBallots = java.util.concurrent.ConcurrentHashMap.newKeySet();

    SlowS5Backend(long delayMillis, int drops) {
      this.delayMillis = delayMillis;
      this.dropsLeft = new AtomicInteger(drops);
    }

    @Override
    public Transport transport(int nodeId) {
      Transport t = local.transport(nodeId);
      return nodeId != 5 ? t : new Transport() {
        @Override
        public void start(Inbound inbound) {
          t.start(inbound);
        }

        @Override
        public void send(Stamp stamp, Message m) {
          if (!(m instanceof Promise) || m.to() == 5) {
            t.send(stamp, m);
          } else if (lostBallots.contains(((Promise) m).ballot())) {
            return; // lost: a waiting round sends its PREPARE again (R14), lose those too
          } else if (dropsLeft.getAndDecrement() > 0) {
            lostBallots.add(((Promise) m).ballot());
            return; // lost
          } else if (delayMillis > 0) {
            LATER.schedule(() -> t.send(stamp, m), delayMillis, TimeUnit.MILLISECONDS);
          } else {
            t.send(stamp, m);
          }
        }

        @Override
        public void close() {
          t.close();
        }
      };
    }

    @Override
    public Store openStore(int nodeId) {
      return local.openStore(nodeId);
    }

    @Override
    public String description() {
      return "local, S5's promises slow";
    }
  }

  private SetRunner.SetOutcome runSetOne(long delayMillis, int drops) throws Exception {
    local = new LocalBackend();
    cluster = InJvmCluster.start(new SlowS5Backend(delayMillis, drops), 10, 5_000);
    return new SetRunner(cluster).run(OfficialFileTest.officialSets().get(0));
  }

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static List<String> slot(ServerView v, int slot) {
    return v.blocks().get(slot - 1).entries().stream().map(TransferView::toString).toList();
  }

  @Test
  void aPromiseFarLaterThanTheOld50MillisecondWaitStillGetsItsLogIntoSlotOne() throws Exception {
    SetRunner.SetOutcome o = runSetOne(600, 0);
    ServerView s1 = cluster.server(1).view();
    assertThat(o.executed()).isEqualTo(5);
    assertThat(s1.balance()).isEqualTo(30);
    assertThat(slot(s1, 1))
        .containsExactlyInAnyOrder("(S1, S3, 45)", "(S2, S4, 30)", "(S3, S5, 55)", "(S5, S1, 50)");
    BankChecks.checkAll(cluster);
  }

  @Test
  void aRoundThatLeftALiveServersLogOutIsFollowedByAnotherRound() throws Exception {
    SetRunner.SetOutcome o = runSetOne(0, 1);
    ServerView s1 = cluster.server(1).view();
    assertThat(o.executed()).as("(S1, S3, 75) did not stay pending").isEqualTo(5);
    assertThat(s1.balance()).isEqualTo(30);
    assertThat(slot(s1, 1)).doesNotContain("(S5, S1, 50)");
    assertThat(slot(s1, 2)).contains("(S5, S1, 50)");
    assertThat(s1.performance().roundsRun()).isEqualTo(2);
    BankChecks.checkAll(cluster);
  }

  @Test
  void everyServerIsToldWhichPeersAreCutOffOrDown() throws Exception {
    local = new LocalBackend();
    cluster = InJvmCluster.start(local, 10, 5_000);
    cluster.applyLiveList(Set.of(1, 2, 3));
    cluster.crash(2);
    assertThat(((BankServer) cluster.server(1)).unreachable()).containsExactlyInAnyOrder(2, 4, 5);
    assertThat(((BankServer) cluster.server(4)).unreachable())
        .containsExactlyInAnyOrder(1, 2, 3, 5);
    cluster.recover(2);
    cluster.applyLiveList(Set.of(1, 2, 3, 4, 5));
    assertThat(((BankServer) cluster.server(1)).unreachable()).isEmpty();
  }
}
