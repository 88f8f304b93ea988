package dev.modpaxos.storage.chronicle;

import static dev.modpaxos.protocol.ReplicaConfig.VOTES_KEPT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.EntryId;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.spi.StoreException;
import dev.modpaxos.spi.StoreIdentity;
import dev.modpaxos.spi.StoredState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real crashes: a child JVM ({@link CrashWriter}) writes and acknowledges in a loop, the test
 * kills it with SIGKILL at random points (during JVM start, recovery, writes, sync, roll-over,
 * snapshot writing, between a snapshot's commit and its compaction, compaction), then reopens the
 * store and checks that every acknowledged write is there (identity, committed snapshots and
 * compaction points included), that a load returns only the blocks after the compaction point,
 * that the store reports no loss (a kill loses nothing the page cache held, so any report would
 * make a healthy node a learner) and that it takes new writes without hanging. A failing run prints its seed; {@code -Dcrash.seed=N} replays the
 * kill schedule (the exact kill points still depend on timing).
 */
class ChronicleStoreCrashTest {
  private static final Pattern ACK = Pattern.compile("ACK (\\d+) (\\d+) END");
  private static final Pattern SNAP = Pattern.compile("SNAP (\\d+) END");
  private static final Pattern COMPACT = Pattern.compile("COMPACT (\\d+) END");
  /** Blocks a load may return once compaction runs: a snapshot interval, its tail, slack. */
  private static final int LOADED_BLOCKS_MAX =
      CrashWriter.SNAPSHOT_EVERY + CrashWriter.TAIL + CrashWriter.IDENTITY_EVERY + 8;
  private static final int KILLS_MIN = 20;
  private static final int KILLS_MAX = 30;
  private static final long SOFT_BUDGET_MILLIS = 60_000;
  private static final long HARD_DEADLINE_MILLIS = 240_000;
  private static final long STEP_TIMEOUT_SECONDS = 60;

  @TempDir Path dir;
  private final ExecutorService checker = Executors.newSingleThreadExecutor();
  private Process child;

  @AfterEach
  void cleanUp() throws InterruptedException {
    if (child != null) {
      child.destroyForcibly().waitFor();
    }
    checker.shutdownNow();
  }

  /** What has been acknowledged so far, over every child run. */
  private static final class Acked {
    long round;
    final List<Long> slots = new ArrayList<>();
    // The round of the iteration that acknowledged each slot (its vote's ballot round).
    final Map<Long, Long> roundOf = new java.util.HashMap<>();
    long snapshot; // the newest snapshot whose commit returned
    long compacted; // the highest compaction point synced
    int snapshots;
    int compactions;
    int killsInSnapshot; // killed after SNAPBEGIN, before its SNAP
    int killsBeforeCompaction; // killed right after a SNAP
    int resumes; // partial snapshots a restarted child resumed

    void add(long round, long slot) {
      this.round = round;
      slots.add(slot);
      roundOf.put(slot, round);
    }

    long lastSlot() {
      return slots.isEmpty() ? 0 : slots.get(slots.size() - 1);
    }
  }

  @Test
  void everyAcknowledgedWriteSurvivesRepeatedKill9() throws Exception {
    long seed = Long.getLong("crash.seed", System.nanoTime());
    Random random = new Random(seed);
    Acked acked = new Acked();
    List<Long> recoveryMicros = new ArrayList<>();
    long start = System.currentTimeMillis();
    int kills = 0;
    try {
      while (kills < KILLS_MIN
          || (kills < KILLS_MAX && System.currentTimeMillis() - start < SOFT_BUDGET_MILLIS)) {
        assertThat(System.currentTimeMillis() - start)
            .as("%d kills not done within the deadline", KILLS_MIN)
            .isLessThan(HARD_DEADLINE_MILLIS);
        Durability mode = random.nextBoolean() ? Durability.PROCESS : Durability.POWER;
        boolean inSnapshot = runAndKill(mode, random, acked);
        kills++;
        // After a kill inside a snapshot, writing a slot would move the next child past it: leave
        // it to resume the partial file instead.
        recoveryMicros.add(withTimeout(() -> checkAndWriteOnce(mode, acked, !inSnapshot)));
      }
    } catch (AssertionError | Exception e) {
      throw new AssertionError("crash test failed with -Dcrash.seed=" + seed + ": " + e, e);
    }
    Collections.sort(recoveryMicros);
    System.out.printf(
        "crash test: %d kills (%d while writing a snapshot, %d right after a commit), %d"
            + " acknowledged iterations, %d snapshots committed (%d resumed), %d compactions,"
            + " 0 reopens with a"
            + " loss reported, recovery open micros min %d median %d max %d (seed %d)%n",
        kills,
        acked.killsInSnapshot,
        acked.killsBeforeCompaction,
        acked.slots.size(),
        acked.snapshots,
        acked.resumes,
        acked.compactions,
        recoveryMicros.get(0),
        recoveryMicros.get(recoveryMicros.size() / 2),
        recoveryMicros.get(recoveryMicros.size() - 1),
        seed);
    assertThat(kills).isGreaterThanOrEqualTo(KILLS_MIN);
    assertThat(acked.snapshots).as("snapshots committed").isPositive();
    assertThat(acked.compactions).as("compactions").isPositive();
  }

  @Test
  void aSecondOpenerInAnotherProcessGetsAClearError() throws Exception {
    LinkedBlockingQueue<String> lines = startChild(Durability.PROCESS);
    awaitLine(lines, line -> line.startsWith("ACK"));
    assertThatThrownBy(() -> withTimeout(() -> ChronicleStore.open(dir)))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("another process");
  }

  /**
   * Starts a child, kills it at a random point, and records what it acknowledged. Returns true if
   * the kill landed while it wrote a snapshot.
   */
  private boolean runAndKill(Durability mode, Random random, Acked acked) throws Exception {
    LinkedBlockingQueue<String> lines = startChild(mode);
    List<String> seen = new ArrayList<>();
    switch (random.nextInt(5)) {
      case 0 -> Thread.sleep(random.nextInt(1500)); // anywhere: JVM start, open, recovery, writes
      case 1, 2 -> { // while a snapshot is written, committed or compacted
        int begins = 1 + random.nextInt(3);
        for (int i = 0; i < begins; i++) {
          seen.add(awaitLine(lines, line -> line.startsWith("SNAPBEGIN"), seen));
        }
        Thread.sleep(random.nextInt(mode == Durability.POWER ? 40 : 8));
      }
      case 3 -> seen.add(awaitLine(lines, line -> SNAP.matcher(line).matches(), seen));
      default -> {
        int acks = 1 + random.nextInt(300);
        for (int i = 0; i < acks; i++) {
          seen.add(awaitLine(lines, line -> line.startsWith("ACK"), seen));
        }
      }
    }
    child.destroyForcibly();
    assertThat(child.waitFor(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
    child = null;
    for (String line = lines.poll(); line != null; line = lines.poll()) {
      seen.add(line);
    }
    String last = null;
    for (String line : seen) {
      record(line, acked);
      last = line.startsWith("EXIT") ? last : line;
    }
    if (last != null && last.startsWith("SNAPBEGIN")) {
      acked.killsInSnapshot++;
      return true;
    } else if (last != null && SNAP.matcher(last).matches()) {
      acked.killsBeforeCompaction++;
    }
    return false;
  }

  private static void record(String line, Acked acked) {
    assertThat(line).as("the child's resumed partial snapshot").doesNotStartWith("RESUME-MISMATCH");
    if (line.startsWith("RESUMED ")) {
      acked.resumes++;
    }
    Matcher m = ACK.matcher(line);
    if (m.matches()) {
      acked.add(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
    }
    Matcher snap = SNAP.matcher(line);
    if (snap.matches()) {
      acked.snapshot = Math.max(acked.snapshot, Long.parseLong(snap.group(1)));
      acked.snapshots++;
    }
    Matcher compact = COMPACT.matcher(line);
    if (compact.matches()) {
      acked.compacted = Math.max(acked.compacted, Long.parseLong(compact.group(1)));
      acked.compactions++;
    }
  }

  /**
   * Reopens the store (recovery), checks every acknowledged write, then, if {@code write}, writes
   * and syncs one more iteration as the child would, proving the store usable. Returns the open
   * time in micros.
   */
  private long checkAndWriteOnce(Durability mode, Acked acked, boolean write) {
    ChronicleStore store = ChronicleStore.open(dir, CrashWriter.config(mode));
    try {
      StoredState state = store.load();
      assertThat(state.losses()).as("losses reported after a kill").isEmpty();
      checkSnapshot(state, acked);
      long chosen = state.chosenSlot();
      StoreIdentity identity = state.identity();
      if (acked.lastSlot() > 0) {
        // The newest identity acknowledged, or one saved after it that survived.
        assertThat(identity).as("identity").isNotNull();
        assertThat(identity.generation())
            .isGreaterThanOrEqualTo(CrashWriter.identityFor(acked.lastSlot()).generation());
        assertThat(identity).isEqualTo(CrashWriter.identityFor(identity.nonce()));
      }
      if (identity != null) {
        assertThat(identity.nonce()).isLessThanOrEqualTo(Math.max(chosen, acked.lastSlot()) + 1);
      }
      assertThat(state.promised().round()).isGreaterThanOrEqualTo(acked.round);
      assertThat(chosen).isGreaterThanOrEqualTo(acked.lastSlot());
      for (int i = 0; i < state.chosen().size(); i++) {
        long slot = state.compactedSlot() + 1 + i;
        assertThat(state.chosen().get(i)).as("slot %d", slot).isEqualTo(CrashWriter.blockFor(slot));
      }
      if (acked.lastSlot() > 0) {
        checkVotes(state, acked);
      }
      checkLocalLog(state, acked);
      long round = state.promised().round() + 1;
      long slot = chosen + 1;
      if (write) {
        // First what the kill interrupted, as the child does at its start: a kill between a
        // snapshot slot's block and its snapshot would otherwise skip that snapshot for good,
        // and the next load would return a whole snapshot interval more (seen once: 84 blocks).
        if (chosen > 0) {
          long stored = state.snapshot() == null ? 0 : state.snapshot().slot();
          slot = CrashWriter.snapshots(store, chosen, stored, line -> record(line, acked)) + 1;
        }
        CrashWriter.iterate(store, round, slot);
        acked.add(round, slot);
        CrashWriter.snapshots(store, slot, 0, line -> record(line, acked)); // keep the schedule
      }
      return TimeUnit.NANOSECONDS.toMicros(store.openReport().openNanos());
    } finally {
      store.close();
    }
  }

  /**
   * The newest acknowledged snapshot, or a newer one, is there with its bytes; the compaction
   * point is at least the acknowledged one; and once compaction runs, a load returns a bounded
   * number of blocks however long the history (restart time does not grow with it).
   */
  private static void checkSnapshot(StoredState state, Acked acked) {
    if (acked.snapshot > 0) {
      assertThat(state.snapshot()).as("acknowledged snapshot of slot %d", acked.snapshot)
          .isNotNull();
      assertThat(state.snapshot().slot()).isGreaterThanOrEqualTo(acked.snapshot);
    }
    if (state.snapshot() != null) {
      dev.modpaxos.spi.SnapshotChecks.assertSnapshot(state.snapshot(), state.snapshot().slot(),
          CrashWriter.snapshotFor(state.snapshot().slot()));
    }
    assertThat(state.compactedSlot()).as("compaction point").isGreaterThanOrEqualTo(acked.compacted);
    if (acked.compacted > 0) {
      assertThat(state.chosen().size()).as("blocks loaded").isLessThanOrEqualTo(LOADED_BLOCKS_MAX);
    }
  }

  /**
   * Every iteration votes for its slot, so the vote of every acknowledged slot above {@code
   * highest - VOTES_KEPT} is there, with its block, at its iteration's ballot (the round is the
   * slot's own, so a stale copy would show), and no vote at or below {@code highest -
   * VOTES_KEPT}.
   */
  private static void checkVotes(StoredState state, Acked acked) {
    Proposal last = state.lastAccepted();
    assertThat(last).as("the newest vote").isNotNull();
    long highest = last.slot();
    assertThat(highest).isGreaterThanOrEqualTo(acked.lastSlot());
    Map<Long, Proposal> bySlot =
        state.accepted().stream().collect(Collectors.toMap(Proposal::slot, Function.identity()));
    for (Proposal vote : state.accepted()) {
      assertThat(vote.slot()).as("vote kept too far back").isGreaterThan(highest - VOTES_KEPT);
      assertThat(vote.block()).as("vote for slot %d", vote.slot())
          .isEqualTo(CrashWriter.blockFor(vote.slot()));
    }
    for (long a : acked.slots) {
      if (a > highest - VOTES_KEPT) {
        assertThat(bySlot).as("acknowledged vote for slot %d", a).containsKey(a);
        assertThat(bySlot.get(a).ballot().round()).as("round of slot %d", a)
            .isEqualTo(acked.roundOf.get(a));
      }
    }
  }

  /**
   * An acknowledged append is present unless iteration {@code a + 3} ran (which removes it, after
   * choosing slot {@code a + 3}); an acknowledged removal stays removed.
   */
  private static void checkLocalLog(StoredState state, Acked acked) {
    Map<EntryId, Entry> local =
        state.localLog().stream().collect(Collectors.toMap(Entry::id, Function.identity()));
    long chosen = state.chosenSlot();
    for (long a : acked.slots) {
      EntryId id = new EntryId(CrashWriter.LOCAL_ORIGIN, a);
      if (chosen < a + 3) {
        assertThat(local.get(id)).as("acknowledged local entry %s", id).isEqualTo(CrashWriter.localFor(a));
      }
      if (a > 3) {
        assertThat(local).as("acknowledged removal").doesNotContainKey(new EntryId(CrashWriter.LOCAL_ORIGIN, a - 3));
      }
    }
  }

  private LinkedBlockingQueue<String> startChild(Durability mode) throws IOException {
    Path stderr = Files.createTempFile("crash-writer", ".err");
    LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    child = ChildJvm.start(CrashWriter.class, List.of(dir.toString(), mode.name()), stderr, lines,
        "EXIT " + stderr);
    return lines;
  }

  /** The next line matching {@code wanted}; fails if the child exits or stays silent too long. */
  private static String awaitLine(LinkedBlockingQueue<String> lines,
      java.util.function.Predicate<String> wanted) throws Exception {
    return awaitLine(lines, wanted, new ArrayList<>());
  }

  /** As above; lines skipped on the way are added to {@code skipped}. */
  private static String awaitLine(LinkedBlockingQueue<String> lines,
      java.util.function.Predicate<String> wanted, List<String> skipped) throws Exception {
    while (true) {
      String line = lines.poll(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      if (line == null) {
        fail("the child wrote nothing for " + STEP_TIMEOUT_SECONDS + " s");
      }
      if (line.startsWith("EXIT ")) {
        fail("the child exited by itself; its stderr:\n" + Files.readString(Path.of(line.substring(5))));
      }
      if (wanted.test(line)) {
        return line;
      }
      skipped.add(line);
    }
  }

  /** Runs {@code step} on the checker thread; a hang fails the test instead of blocking it. */
  private <T> T withTimeout(java.util.concurrent.Callable<T> step) throws Exception {
    Future<T> f = checker.submit(step);
    try {
      return f.get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new AssertionError("store open or write hung for " + STEP_TIMEOUT_SECONDS + " s", e);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Exception ex) {
        throw ex;
      }
      throw (Error) e.getCause();
    }
  }
}
