package dev.modpaxos.bank.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.bank.ServerView;
import dev.modpaxos.bank.ServerView.BlockView;
import dev.modpaxos.bank.ServerView.TransferView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Each checker passes a consistent run and reports a doctored one: the history and final views of
 * a small healthy run, then one breach at a time.
 */
class CheckersTest {
  // S1 pays S2 30 (chosen in slot 1); S2 pays S3 50 (chosen in slot 2); S3 pays S1 10 (in S3's
  // local log); S4's transfer failed (never delivered); S5's timed out (unknown, never executed).
  private static final List<String> HISTORY = List.of(
      "1\tinvoke\t1\t1\t101\t1\t2\t30", "2\tok\t1\tEXECUTED 0 -",
      "3\tinvoke\t2\t2\t201\t2\t3\t50", "4\tok\t2\tEXECUTED 1 -",
      "5\tinvoke\t3\t3\t301\t3\t1\t10", "6\tunknown\t3\tno answer", "7\tacked\t3\tlate",
      "8\tinvoke\t4\t4\t401\t4\t5\t5", "9\tfailed\t4\tnot delivered",
      "10\tinvoke\t5\t5\t501\t5\t1\t7", "11\tunknown\t5\tno answer",
      "12\tfault\tkill\tS2", "13\tfault\trestart\tS2");
  private static final TransferView T101 = new TransferView(101, "S1", "S2", 30);
  private static final TransferView T201 = new TransferView(201, "S2", "S3", 50);
  private static final TransferView T301 = new TransferView(301, "S3", "S1", 10);
  private static final List<BlockView> BLOCKS =
      List.of(new BlockView(1, List.of(T101)), new BlockView(2, List.of(T201)));

  private static ServerView server(
      int id, long slot, List<BlockView> blocks, List<TransferView> local) {
    Map<String, Long> balances = new TreeMap<>(Map.of("S1", 70L, "S2", 80L, "S3", 150L, "S4", 100L,
        "S5", 100L));
    if (slot < 2) {
      balances.put("S2", 130L);
      balances.put("S3", 100L);
    }
    local.forEach(t -> balances.merge(t.from(), -t.amount(), Long::sum));
    return new ServerView("S" + id, true, true, slot, balances.get("S" + id), balances, local,
        List.of(), blocks, null);
  }

  private static List<ServerView> healthy() {
    List<ServerView> v = new ArrayList<>();
    for (int id = 1; id <= 5; id++) {
      v.add(server(id, 2, BLOCKS, id == 3 ? List.of(T301) : List.of()));
    }
    return v;
  }

  private static List<String> check(List<String> history, List<ServerView> finals) {
    return Checker.runAll(History.parse(history), finals);
  }

  @Test
  void aHealthyRunHasNoViolations() {
    assertThat(check(HISTORY, healthy())).isEmpty();
    History h = History.parse(HISTORY);
    assertThat(h.count(History.Outcome.OK)).isEqualTo(3);
    assertThat(h.count(History.Outcome.FAILED)).isEqualTo(1);
    assertThat(h.count(History.Outcome.UNKNOWN)).isEqualTo(1);
    assertThat(h.faults("kill")).isEqualTo(1);
  }

  @Test
  void aLostAcknowledgedTransferIsReported() {
    List<ServerView> v = healthy();
    v.set(2, server(3, 2, BLOCKS, List.of())); // S3 lost its local log (persist skipped)
    assertThat(check(HISTORY, v)).anyMatch(s -> s.startsWith("acknowledged-once: transfer 301"));
  }

  @Test
  void aTransferLostWithAWipedDiskIsNotReportedButOneAcknowledgedAfterTheWipeIs() {
    List<ServerView> v = healthy();
    v.set(2, server(3, 2, BLOCKS, List.of())); // S3's local log is gone
    List<String> wipedAfter = new ArrayList<>(HISTORY);
    wipedAfter.add("20\tfault\twipe\tS3 (leader)");
    assertThat(check(wipedAfter, v)).noneMatch(s -> s.startsWith("acknowledged-once"));
    List<String> wipedBefore = new ArrayList<>(HISTORY);
    wipedBefore.add(0, "0\tfault\twipe\tS3");
    assertThat(check(wipedBefore, v))
        .anyMatch(s -> s.startsWith("acknowledged-once: transfer 301"));
  }

  @Test
  void aTransferChosenTwiceIsReported() {
    List<BlockView> twice = List.of(BLOCKS.get(0), new BlockView(2, List.of(T201, T101)));
    List<ServerView> v = new ArrayList<>();
    for (int id = 1; id <= 5; id++) {
      v.add(server(id, 2, twice, id == 3 ? List.of(T301) : List.of()));
    }
    assertThat(check(HISTORY, v)).anyMatch(s -> s.startsWith("acknowledged-once: transfer 101"));
  }

  @Test
  void aNegativeBalanceIsReported() {
    List<String> h = new ArrayList<>(HISTORY);
    h.add("14\tinvoke\t6\t1\t102\t1\t4\t90");
    h.add("15\tok\t6\tEXECUTED 0 -");
    List<ServerView> v = healthy();
    v.set(0, server(1, 2, BLOCKS, List.of(new TransferView(102, "S1", "S4", 90))));
    assertThat(check(h, v)).anyMatch(s -> s.startsWith("money: S1 goes to -20"));
  }

  @Test
  void aLedgerThatLosesMoneyIsReported() {
    List<ServerView> v = healthy();
    ServerView s4 = v.get(3);
    Map<String, Long> wrong = new TreeMap<>(s4.balanceMap());
    wrong.put("S5", 90L);
    v.set(3, new ServerView("S4", true, true, 2, 100, wrong, List.of(), List.of(), BLOCKS, null));
    assertThat(check(HISTORY, v)).anyMatch(s -> s.startsWith("money: S4's ledger holds 490"));
  }

  @Test
  void aTransferNeverSubmittedOrFailedIsReported() {
    List<ServerView> v = healthy();
    List<BlockView> forged = List.of(BLOCKS.get(0), BLOCKS.get(1),
        new BlockView(3, List.of(new TransferView(999, "S4", "S5", 1),
            new TransferView(401, "S4", "S5", 5), new TransferView(501, "S5", "S1", 8))));
    for (int id = 1; id <= 5; id++) {
      v.set(id - 1, server(id, 3, forged, id == 3 ? List.of(T301) : List.of()));
    }
    assertThat(check(HISTORY, v))
        .anyMatch(s -> s.startsWith("no-phantom: transfer 999 (S4, S5, 1) was never submitted"))
        .anyMatch(s -> s.startsWith("no-phantom: transfer 401 failed"))
        .anyMatch(s -> s.startsWith("no-phantom: transfer 501 is (S5, S1, 8) but was submitted"));
  }

  @Test
  void serversThatDisagreeOnASlotAreReported() {
    List<ServerView> v = healthy();
    v.set(4, server(5, 2, List.of(BLOCKS.get(0), new BlockView(2, List.of())), List.of()));
    assertThat(check(HISTORY, v)).anyMatch(s -> s.startsWith("agreement: slot 2"));
  }

  @Test
  void aServerBehindOrDownAfterHealingIsReported() {
    List<ServerView> v = healthy();
    v.set(1, server(2, 1, BLOCKS.subList(0, 1), List.of()));
    v.set(3, ServerView.down(4));
    assertThat(check(HISTORY, v))
        .anyMatch(s -> s.equals("caught-up: S2 is at slot 1, others reached 2"))
        .anyMatch(s -> s.equals("caught-up: S4 is not up after healing"));
  }

  // ---- the checkers of issue 16 -------------------------------------------------------------

  /** The healthy history, then client operations at {@code millis} acknowledged at once. */
  private static List<String> withOps(long... millis) {
    List<String> h = new ArrayList<>(HISTORY);
    for (int k = 0; k < millis.length; k++) {
      long op = 100 + k;
      h.add(millis[k] + "\tinvoke\t" + op + "\t4\t" + (400 + k + 2) + "\t4\t5\t1");
      h.add(millis[k] + 1 + "\tok\t" + op + "\tEXECUTED 0 -");
    }
    return h;
  }

  @Test
  void aLongStretchWithoutAcknowledgementWhileAMajorityIsHealthyIsReported() {
    List<String> h = withOps(20_000, 60_000);
    h.add("30000\tfault\tkill\tS2");
    h.add("35000\tfault\trestart\tS2");
    assertThat(new LivenessChecker().check(History.parse(h), healthy()))
        .containsExactly("no operation acknowledged from 20001 ms to 60000 ms (39999 ms, bound"
            + " 30000 ms) with a majority healthy");
  }

  @Test
  void aStretchCoveredByABreakingFaultIsNotReported() {
    List<String> majority = withOps(20_000, 60_000);
    majority.add("21000\tfault\tdisconnect\tS1,S2,S3 (majority)");
    majority.add("45000\tfault\tconnect\tS1,S2,S3");
    assertThat(new LivenessChecker().check(History.parse(majority), healthy())).isEmpty();
    List<String> minority = withOps(20_000, 60_000);
    minority.add("21000\tfault\tdisconnect\tS1,S2 (minority)");
    minority.add("45000\tfault\tconnect\tS1,S2");
    assertThat(new LivenessChecker().check(History.parse(minority), healthy())).hasSize(1);
    List<String> killAll = withOps(20_000, 60_000);
    killAll.add("25000\tfault\tkillall\tS1..S5");
    killAll.add("40000\tfault\trestartall\tS1..S5");
    assertThat(new LivenessChecker().check(History.parse(killAll), healthy())).isEmpty();
  }

  @Test
  void anOverlappingPauseIsBreakingUntilItsOwnEndWhateverLinesComeBetween() {
    // A minority disconnect plus an overlapping pause of a third server: no majority. The
    // overlap's line comes first, the disconnect's lines interleave; it ends at overlapend.
    List<String> overlap = withOps(20_000, 60_000);
    overlap.add("21000	fault	overlap	pause S3");
    overlap.add("21001	fault	disconnect	S1,S2 (minority)");
    overlap.add("24000	fault	connect	S1,S2");
    overlap.add("45000	fault	overlapend	resume S3");
    assertThat(new LivenessChecker().check(History.parse(overlap), healthy())).isEmpty();
    // Ended at the disconnect's first line instead, 20001..60000 would have a 39 s healthy gap.
    List<String> ended = withOps(20_000, 60_000);
    ended.add("21000	fault	overlap	pause S3");
    ended.add("21001	fault	overlapend	resume S3");
    ended.add("21002	fault	disconnect	S1,S2 (minority)");
    ended.add("24000	fault	connect	S1,S2");
    assertThat(new LivenessChecker().check(History.parse(ended), healthy())).hasSize(1);
  }

  @Test
  void aProbeAfterHealingThatIsNotExecutedInTimeIsReported() {
    List<String> h = new ArrayList<>(HISTORY);
    h.add("20\tinvoke\t7\t2\t290000001\t2\t3\t1");
    h.add("20\tprobe\t7\t" + LivenessChecker.AFTER_HEALING + " S2");
    h.add("21\tok\t7\tEXECUTED 0 -");
    h.add("30\tinvoke\t8\t4\t490000002\t4\t5\t1");
    h.add("30\tprobe\t8\t" + LivenessChecker.AFTER_HEALING + " S4");
    h.add("30030\tunknown\t8\tno answer in 30000 ms");
    h.add("40\tinvoke\t9\t5\t590000003\t5\t1\t1");
    h.add("40\tprobe\t9\t" + LivenessChecker.AFTER_HEALING + " S5");
    h.add("40041\tacked\t9\tits own late answer");
    assertThat(new LivenessChecker().check(History.parse(h), healthy()))
        .noneMatch(s -> s.contains("op 7 "))
        .contains("probe op 8 (liveness after healing S4) was not acknowledged within"
            + " 30000 ms: UNKNOWN")
        .contains("probe op 9 (liveness after healing S5) was not acknowledged within"
            + " 30000 ms: OK after 40001 ms");
  }

  @Test
  void anUnknownTransferExecutedTwiceIsReportedAndTheUnknownsAreCounted() {
    assertThat(UnknownFollowUpChecker.counts(History.parse(HISTORY), healthy()))
        .isEqualTo(new UnknownFollowUpChecker.Counts(0, 1));
    TransferView t501 = new TransferView(501, "S5", "S1", 7);
    List<BlockView> blocks = List.of(BLOCKS.get(0), BLOCKS.get(1), new BlockView(3,
        List.of(t501)));
    List<ServerView> v = new ArrayList<>();
    for (int id = 1; id <= 5; id++) {
      v.add(server(id, 3, blocks, id == 3 ? List.of(T301) : List.of()));
    }
    assertThat(UnknownFollowUpChecker.counts(History.parse(HISTORY), v))
        .isEqualTo(new UnknownFollowUpChecker.Counts(1, 0));
    assertThat(check(HISTORY, v)).noneMatch(s -> s.startsWith("unknown-follow-up"));
    v.set(4, server(5, 3, blocks, List.of(t501))); // chosen, and still in S5's local log
    assertThat(check(HISTORY, v)).contains("unknown-follow-up: transfer 501 (op 5, unknown) is"
        + " executed 2 times (chosen and in local logs)");
  }

  @Test
  void aFaultsOwnFailedCheckIsReported() {
    List<String> h = new ArrayList<>(HISTORY);
    h.add("20\tbreach\tS3 votes at once on an empty data directory (generation 1)");
    assertThat(check(h, healthy()))
        .containsExactly("fault-check: S3 votes at once on an empty data directory (generation 1)");
  }

  @Test
  void whatAColdRestartLostIsReported() {
    assertThat(new ColdRestartChecker(healthy()).checkAll(History.parse(HISTORY), healthy()))
        .isEmpty();
    List<ServerView> after = new ArrayList<>();
    for (int id = 1; id <= 5; id++) {
      after.add(server(id, 1, BLOCKS.subList(0, 1), List.of())); // slot 2 and S3's log lost
    }
    assertThat(new ColdRestartChecker(healthy()).checkAll(History.parse(HISTORY), after))
        .contains("after cold restart: acknowledged-once: transfer 201 (op 2, acknowledged ok)"
            + " is chosen 0 times and in local logs 0 times")
        .contains("cold-restart: the servers reach slot 1 after the cold restart, 2 before")
        .contains("cold-restart: transfer 301 was executed before the cold restart and is gone"
            + " after it");
  }
}
