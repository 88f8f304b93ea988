package dev.modpaxos.sim;

import java.util.function.Consumer;

/**
 * Runs many seeds, or replays one, and prints what SimulationTest and {@link Simulator} print:
 * each failing seed with its first violations and how to replay it, then the totals line last.
 * The seed count bounds the work; a time guard stops a pathological build early (a guard, never
 * a verdict). Not thread-safe.
 */
final class SimSeeds {
  static final String REPLAY_PROPERTY = "sim.seed";
  static final String FIRST_SEED_PROPERTY = "sim.firstSeed";
  private static final int FAILED_SEEDS_PRINTED_MAX = 20;
  private static final int VIOLATIONS_PRINTED_PER_SEED = 5;
  private static final long MILLIS_PER_SEED_GUARD = 200;
  private static final long MILLIS_GUARD_MIN = 120_000;
  private static final long SLOW_SEED_MILLIS = 1_000;

  /** Runs one seed; {@code trace} is on only for a replay. */
  @FunctionalInterface
  interface Run {
    SimResult run(long seed, SimTrace trace);
  }

  private SimSeeds() {}

  /** The seed {@code -Dsim.seed=S} asks to replay, or null. */
  static Long replaySeed() {
    String replay = System.getProperty(REPLAY_PROPERTY, "").trim();
    if (replay.isEmpty()) {
      return null;
    }
    try {
      return Long.parseLong(replay);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "-D" + REPLAY_PROPERTY + " must be a whole number, got '" + replay + "'");
    }
  }

  /**
   * Replays {@code -Dsim.seed=S} alone with its whole trace printed, or runs {@code seeds} seeds
   * from {@code -Dsim.firstSeed} (default 1); then prints the failures and the totals line.
   */
  static SimTotals runOrReplay(int seeds, Run run, Consumer<String> out, String replayHint) {
    Long replay = replaySeed();
    SimTotals totals = new SimTotals();
    if (replay != null) {
      totals.add(run.run(replay, SimTrace.to(out)));
    } else {
      runSeeds(seeds, run, out, totals);
    }
    for (SimResult r : totals.failed().subList(0, Math.min(totals.failed().size(),
        FAILED_SEEDS_PRINTED_MAX))) {
      out.accept(describe(r, replayHint));
    }
    out.accept(totals.statsLine());
    out.accept(totals.line());
    return totals;
  }

  private static void runSeeds(int seeds, Run run, Consumer<String> out, SimTotals totals) {
    long deadline =
        System.nanoTime() + Math.max(MILLIS_GUARD_MIN, seeds * MILLIS_PER_SEED_GUARD) * 1_000_000;
    long first = Long.getLong(FIRST_SEED_PROPERTY, 1);
    for (long seed = first; seed < first + seeds; seed++) {
      if (System.nanoTime() > deadline) {
        out.accept("time guard: stopped after " + (seed - first) + " of " + seeds + " seeds");
        break;
      }
      long start = System.nanoTime();
      totals.add(run.run(seed, SimTrace.OFF));
      long millis = (System.nanoTime() - start) / 1_000_000;
      if (millis > SLOW_SEED_MILLIS) {
        out.accept("slow seed " + seed + ": " + millis + " ms"); // a hint, never a verdict
      }
    }
  }

  /** A failing seed, its first violations, and {@code replayHint} followed by the seed. */
  static String describe(SimResult r, String replayHint) {
    StringBuilder sb = new StringBuilder();
    sb.append("seed ").append(r.seed()).append(" FAILED: ").append(r.violationCount())
        .append(" violations; ").append(r.shape()).append('\n');
    r.violations().stream()
        .limit(VIOLATIONS_PRINTED_PER_SEED)
        .forEach(v -> sb.append("  ").append(v).append('\n'));
    sb.append("  replay: ").append(replayHint).append(r.seed());
    return sb.toString();
  }
}
