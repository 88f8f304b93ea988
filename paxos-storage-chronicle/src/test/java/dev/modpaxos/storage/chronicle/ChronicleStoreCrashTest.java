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
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
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
 * kills it with SIGKILL at random points (during JVM start, recovery, writes, sync, roll-over),
 * then reopens the store and checks that every acknowledged write is there (identity included),
 * that the store reports no loss (a kill loses nothing the page cache held, so any report would
 * make a healthy node a learner) and that it takes new writes without hanging. A failing run prints its seed; {@code -Dcrash.seed=N} replays the
 * kill schedule (the exact kill points still depend on timing).
 */
class ChronicleStoreCrashTest {
  private static final Pattern ACK = Pattern.compile("ACK (\\d+) (\\d+) END");
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
        runAndKill(mode, random, acked);
        kills++;
        recoveryMicros.add(withTimeout(() -> checkAndWriteOnce(mode, acked)));
      }
    } catch (AssertionError | Exception e) {
      throw new AssertionError("crash test failed with -Dcrash.seed=" + seed + ": " + e, e);
    }
    Collections.sort(recoveryMicros);
    System.out.printf(
        "crash test: %d kills, %d acknowledged iterations, 0 reopens with a loss reported,"
            + " recovery open micros min %d median %d max %d (seed %d)%n",
        kills,
        acked.slots.size(),
        recoveryMicros.get(0),
        recoveryMicros.get(recoveryMicros.size() / 2),
        recoveryMicros.get(recoveryMicros.size() - 1),
        seed);
    assertThat(kills).isGreaterThanOrEqualTo(KILLS_MIN);
  }

  @Test
  void aSecondOpenerInAnotherProcessGetsAClearError() throws Exception {
    LinkedBlockingQueue<String> lines = startChild(Durability.PROCESS);
    awaitLine(lines, line -> line.startsWith("ACK"));
    assertThatThrownBy(() -> withTimeout(() -> ChronicleStore.open(dir)))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("another process");
  }

  /** Starts a child, kills it at a random point, and records what it acknowledged. */
  private void runAndKill(Durability mode, Random random, Acked acked) throws Exception {
    LinkedBlockingQueue<String> lines = startChild(mode);
    if (random.nextInt(4) == 0) {
      Thread.sleep(random.nextInt(1500)); // anywhere: JVM start, open, recovery, writes
    } else {
      int acks = 1 + random.nextInt(300);
      for (int i = 0; i < acks; i++) {
        record(awaitLine(lines, line -> line.startsWith("ACK")), acked);
      }
    }
    child.destroyForcibly();
    assertThat(child.waitFor(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
    child = null;
    for (String line = lines.poll(); line != null; line = lines.poll()) {
      record(line, acked);
    }
  }

  private static void record(String line, Acked acked) {
    Matcher m = ACK.matcher(line);
    if (m.matches()) {
      acked.add(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
    }
  }

  /**
   * Reopens the store (recovery), checks every acknowledged write, then writes and syncs one more
   * iteration as the child would, proving the store usable. Returns the open time in micros.
   */
  private long checkAndWriteOnce(Durability mode, Acked acked) {
    ChronicleStore store = ChronicleStore.open(dir, CrashWriter.config(mode));
    try {
      StoredState state = store.load();
      assertThat(state.losses()).as("losses reported after a kill").isEmpty();
      long chosen = state.chosen().size();
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
      for (int i = 0; i < chosen; i++) {
        assertThat(state.chosen().get(i)).as("slot %d", i + 1).isEqualTo(CrashWriter.blockFor(i + 1));
      }
      if (acked.lastSlot() > 0) {
        checkVotes(state, acked);
      }
      checkLocalLog(state, acked);
      long round = state.promised().round() + 1;
      long slot = chosen + 1;
      CrashWriter.iterate(store, round, slot);
      acked.add(round, slot);
      return TimeUnit.NANOSECONDS.toMicros(store.openReport().openNanos());
    } finally {
      store.close();
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
    long chosen = state.chosen().size();
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
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse(
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle.")) {
        command.add(arg);
      }
    }
    command.addAll(List.of("-Dchronicle.analytics.disable=true", "-Xmx256m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        CrashWriter.class.getName(), dir.toString(), mode.name()));
    Path stderr = Files.createTempFile("crash-writer", ".err");
    child = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
    LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Process p = child;
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          lines.add(line);
        }
      } catch (IOException ignored) {
        // The child was killed.
      }
      lines.add("EXIT " + stderr);
    }, "crash-writer-stdout");
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  /** The next line matching {@code wanted}; fails if the child exits or stays silent too long. */
  private static String awaitLine(LinkedBlockingQueue<String> lines,
      java.util.function.Predicate<String> wanted) throws Exception {
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
