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
  private static final String REPLAY_HINT =
      "mvn -q -pl paxos-core test -Dtest=SimulationTest -Dsim.seed=";

  @Test
  void everySeedKeepsEveryProperty() {
    SimTotals totals =
        SimSeeds.runOrReplay(
            seedCount(),
            (seed, trace) -> Simulation.run(seed, ProtocolVariant.PAXOS, trace),
            System.out::println,
            REPLAY_HINT);
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
}
