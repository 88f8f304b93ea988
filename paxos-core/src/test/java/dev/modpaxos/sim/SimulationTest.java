package dev.modpaxos.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Runs the simulator over many seeds with the production protocol.
 *
 * <ul>
 *   <li>{@code -Dsim.seeds=N} runs seeds 1..N (default 2000); the last line printed is the totals
 *       line {@code simulation seeds=N violations=V chosen_blocks=B chosen_entries=E crashes=C
 *       partitions=P dropped=D}, and the test fails when V > 0, after printing each failing seed
 *       and its first violations.
 *   <li>{@code -Dsim.seed=S} replays seed S alone and prints its whole trace.
 * </ul>
 */
class SimulationTest {
  private static final int SEEDS_DEFAULT = 2000;
  private static final int FAILED_SEEDS_PRINTED_MAX = 20;
  private static final int VIOLATIONS_PRINTED_PER_SEED = 5;
  // A guard, not a timing assertion: stop early rather than run for ever on a pathological build.
  private static final long MILLIS_PER_SEED_GUARD = 200;
  private static final long MILLIS_GUARD_MIN = 120_000;
  private static final long SLOW_SEED_MILLIS = 1_000;

  @Test
  void everySeedKeepsEveryProperty() {
    String replay = System.getProperty("sim.seed", "").trim();
    SimTotals totals = replay.isEmpty() ? runSeeds(seedCount()) : replay(Long.parseLong(replay));
    for (SimResult r : totals.failed().subList(0, Math.min(totals.failed().size(),
        FAILED_SEEDS_PRINTED_MAX))) {
      System.out.println(describe(r));
    }
    System.out.println(totals.statsLine());
    System.out.println(totals.line());
    assertThat(totals.violations())
        .as("violations; replay a failing seed with -Dsim.seed=S")
        .isZero();
  }

  @Test
  void sameSeedGivesSameTrace() {
    for (long seed : new long[] {1, 2, 3}) {
      SimTrace first = SimTrace.to(null);
      SimTrace second = SimTrace.to(null);
      SimResult a = Simulation.run(seed, ProtocolVariant.PAXOS, first);
      SimResult b = Simulation.run(seed, ProtocolVariant.PAXOS, second);
      assertThat(first.lines()).as("trace lines of seed %d", seed).isGreaterThan(100);
      assertThat(second.lines()).isEqualTo(first.lines());
      assertThat(second.hash()).as("trace hash of seed %d", seed).isEqualTo(first.hash());
      assertThat(b).isEqualTo(a);
    }
  }

  @Test
  void differentSeedsGiveDifferentTraces() {
    SimTrace one = SimTrace.to(null);
    SimTrace two = SimTrace.to(null);
    Simulation.run(1, ProtocolVariant.PAXOS, one);
    Simulation.run(2, ProtocolVariant.PAXOS, two);
    assertThat(two.hash()).isNotEqualTo(one.hash());
  }

  private static int seedCount() {
    return Integer.getInteger("sim.seeds", SEEDS_DEFAULT);
  }

  private static SimTotals runSeeds(int seeds) {
    SimTotals totals = new SimTotals();
    long deadline =
        System.nanoTime() + Math.max(MILLIS_GUARD_MIN, seeds * MILLIS_PER_SEED_GUARD) * 1_000_000;
    long first = Long.getLong("sim.firstSeed", 1);
    for (long seed = first; seed < first + seeds; seed++) {
      if (System.nanoTime() > deadline) {
        System.out.println("time guard: stopped after " + (seed - 1) + " of " + seeds + " seeds");
        break;
      }
      long start = System.nanoTime();
      totals.add(Simulation.run(seed, ProtocolVariant.PAXOS, SimTrace.OFF));
      long millis = (System.nanoTime() - start) / 1_000_000;
      if (millis > SLOW_SEED_MILLIS) {
        System.out.println("slow seed " + seed + ": " + millis + " ms"); // a hint, never a verdict
      }
    }
    return totals;
  }

  private static SimTotals replay(long seed) {
    SimTotals totals = new SimTotals();
    totals.add(Simulation.run(seed, ProtocolVariant.PAXOS, SimTrace.to(System.out::println)));
    return totals;
  }

  static String describe(SimResult r) {
    StringBuilder sb = new StringBuilder();
    sb.append("seed ").append(r.seed()).append(" FAILED: ").append(r.violationCount())
        .append(" violations; ").append(r.shape()).append('\n');
    r.violations().stream()
        .limit(VIOLATIONS_PRINTED_PER_SEED)
        .forEach(v -> sb.append("  ").append(v).append('\n'));
    sb.append("  replay: mvn -q -pl paxos-core test -Dtest=SimulationTest -Dsim.seed=")
        .append(r.seed());
    return sb.toString();
  }
}
