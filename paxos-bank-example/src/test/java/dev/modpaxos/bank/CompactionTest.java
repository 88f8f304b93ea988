package dev.modpaxos.bank;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.StoredState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code --compact-every}: the official file ends every set with the same views as without
 * compaction, PrintDB shows the snapshot and the blocks after it, and a server crashed with
 * compaction on restarts from its snapshot (its store no longer holds the early blocks).
 */
class CompactionTest {
  private final ClusterBackend plainBackend = new LocalBackend();
  private ClusterBackend compactBackend;
  private Cluster plain;
  private Cluster compact;

  /** The backend of the cluster with compaction on. */
  protected ClusterBackend newBackend() throws Exception {
    return new LocalBackend();
  }

  @AfterEach
  void stop() {
    for (Cluster c : new Cluster[] {plain, compact}) {
      if (c != null) {
        c.close();
      }
    }
    if (compactBackend != null) {
      compactBackend.close();
    }
  }

  /** What compaction must not change: every server's balances, logs and applied slot. */
  private static void assertSameViews(Cluster expected, Cluster actual, String when) {
    for (int id : Servers.IDS) {
      ServerView e = expected.server(id).view();
      ServerView a = actual.server(id).view();
      assertThat(a.up()).as("%s: %s up", when, e.server()).isEqualTo(e.up());
      assertThat(a.committedSlot()).as("%s: %s's slot", when, e.server())
          .isEqualTo(e.committedSlot());
      assertThat(a.balanceMap()).as("%s: %s's balances", when, e.server())
          .isEqualTo(e.balanceMap());
      assertThat(a.localLog()).as("%s: %s's local log", when, e.server()).isEqualTo(e.localLog());
      assertThat(a.pending()).as("%s: %s's pending", when, e.server()).isEqualTo(e.pending());
      if (e.up()) {
        assertThat(a.blocks()).as("%s: %s's blocks after its snapshot", when, e.server())
            .isEqualTo(e.blocks().subList(e.blocks().size() - a.blocks().size(),
                e.blocks().size()));
      }
    }
  }

  /**
   * Waits until server {@code id} holds a snapshot of slot {@code minSlot} or later, and returns
   * its slot. Snapshots are written off the loop, so this waits (bounded: a liveness knob) for
   * the write rather than for any outcome.
   */
  private static long awaitSnapshot(Cluster c, int id, long minSlot) throws InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    ServerView.SnapshotView s = c.server(id).view().snapshot();
    while ((s == null || s.slot() < minSlot) && System.nanoTime() < deadline) {
      Thread.sleep(10);
      s = c.server(id).view().snapshot();
    }
    assertThat(s).as("S%d took a snapshot", id).isNotNull();
    assertThat(s.slot()).as("S%d's snapshot", id).isGreaterThanOrEqualTo(minSlot);
    return s.slot();
  }

  private String printDb(Cluster c, int id) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new Printer(new PrintStream(out, true, StandardCharsets.UTF_8)).db(c.server(id).view());
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theOfficialFileEndsAsWithoutCompactionAndAServerRestartsFromItsSnapshot()
      throws Exception {
    plain = InJvmCluster.start(plainBackend, 5, 5_000, false, 0);
    compactBackend = newBackend();
    compact = InJvmCluster.start(compactBackend, 5, 5_000, false, 1);
    SetRunner p = new SetRunner(plain);
    SetRunner c = new SetRunner(compact);
    List<TransferSet> sets = OfficialFileTest.officialSets();
    for (TransferSet set : sets.subList(0, 2)) {
      assertThat(c.run(set).executed()).isEqualTo(p.run(set).executed());
      assertSameViews(plain, compact, "set " + set.number());
    }
    long slots = plain.server(1).appliedSlot();
    assertThat(slots).as("sets 1 and 2 chose a few slots").isGreaterThanOrEqualTo(2);
    assertThat(printDb(plain, 1)).startsWith("S1 datastore: " + slots + " blocks")
        .contains("  slot 1: ");
    long s1 = awaitSnapshot(compact, 1, 1);
    String db = printDb(compact, 1);
    assertThat(db)
        .startsWith("S1 datastore: snapshot of slot " + s1 + ", then "
            + Printer.plural(slots - s1, "block"))
        .contains("  snapshot of slot " + s1 + ": S1=").doesNotContain("  slot 1: ");
    for (long slot = s1 + 1; slot <= slots; slot++) {
      assertThat(db).as("the blocks after the snapshot").contains("  slot " + slot + ": ");
    }
    awaitSnapshot(compact, 3, 2); // so that S3's store compacted slot 1 away

    plain.crash(3);
    compact.crash(3);
    StoredState stored;
    try (Store store = compactBackend.openStore(3)) {
      stored = store.load();
    }
    assertThat(stored.snapshot()).as("S3 kept a snapshot").isNotNull();
    assertThat(stored.compactedSlot()).as("and dropped the blocks under it").isPositive();
    for (TransferSet set : sets.subList(2, 4)) {
      assertThat(c.run(set).executed()).isEqualTo(p.run(set).executed());
      assertSameViews(plain, compact, "set " + set.number() + ", S3 down");
    }
    assertThat(plain.recover(3)).isTrue();
    assertThat(compact.recover(3)).isTrue();
    p.resendAfterRecovery(3);
    c.resendAfterRecovery(3);
    assertThat(compact.server(3).view().snapshot()).as("S3 restarted from a snapshot").isNotNull();
    assertSameViews(plain, compact, "S3 recovered");

    for (TransferSet set : sets.subList(4, sets.size())) {
      assertThat(c.run(set).executed()).isEqualTo(p.run(set).executed());
      assertSameViews(plain, compact, "set " + set.number());
    }
    long total = 0;
    for (ServerView v : compact.views()) {
      total += v.balance() + v.localLog().stream().mapToLong(ServerView.TransferView::amount).sum();
    }
    assertThat(total).as("balances plus local-log debits").isEqualTo(500);
  }
}
