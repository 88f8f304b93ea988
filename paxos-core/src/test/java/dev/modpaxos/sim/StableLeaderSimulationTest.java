package dev.modpaxos.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.protocol.RoundTrigger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Multi-Paxos fast path, measured by the simulator's statistics: in a stable AUTO run (no
 * faults, one node submitting steadily) the leader's first round is the only one that sends
 * PREPARE; every later slot is decided with ACCEPT only (R13).
 */
class StableLeaderSimulationTest {
  private static final int SAFETY_TICKS = 600;
  private static final int SLOTS_MIN = 50;

  @ParameterizedTest
  @ValueSource(ints = {3, 5, 7})
  void onlyTheFirstRoundSendsPrepare(int nodes) {
    SimResult r =
        Simulation.run(
            42,
            ignored -> SimShape.stable(nodes, RoundTrigger.AUTO, SAFETY_TICKS),
            ProtocolVariant.PAXOS,
            SimTrace.OFF);

    assertThat(r.violations()).isEmpty();
    assertThat(r.chosenBlocks()).as("committed slots").isGreaterThanOrEqualTo(SLOTS_MIN);
    assertThat(r.prepareRounds()).as("PREPARE phases started").isEqualTo(1);
    assertThat(r.prepareMessages()).as("PREPARE messages sent").isEqualTo(nodes - 1);
    System.out.println(
        "stable AUTO run, " + nodes + " nodes: chosen_blocks=" + r.chosenBlocks()
            + " chosen_entries=" + r.chosenEntries() + " prepare_rounds=" + r.prepareRounds()
            + " prepare_messages=" + r.prepareMessages());
  }
}
