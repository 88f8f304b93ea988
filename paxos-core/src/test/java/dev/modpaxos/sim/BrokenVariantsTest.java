package dev.modpaxos.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Proof that the checkers can fail: each deliberately broken protocol variant (test code only)
 * produces a violation within {@link #SEEDS_MAX} seeds, while the production protocol on the very
 * same seeds produces none.
 */
class BrokenVariantsTest {
  private static final int SEEDS_MAX = 500;

  @ParameterizedTest
  @EnumSource(
      value = ProtocolVariant.class,
      names = {
        "IGNORE_HIGHEST_BALLOT",
        "REPLY_BEFORE_PERSIST",
        "ACCEPT_PREPARE_FROM_BEHIND",
        "IGNORE_LOST_ACCEPTOR_STATE"
      })
  void brokenVariantIsCaughtAndPaxosIsNotOnTheSameSeeds(ProtocolVariant variant) {
    SimResult caught = firstFailingSeed(variant);
    assertThat(caught).as("%s caught within %d seeds", variant, SEEDS_MAX).isNotNull();
    System.out.println(
        variant + " caught at seed " + caught.seed() + " by " + caught.firstChecker() + ": "
            + caught.violations().get(0));

    for (long seed = 1; seed <= caught.seed(); seed++) {
      SimResult paxos = Simulation.run(seed, ProtocolVariant.PAXOS, SimTrace.OFF);
      assertThat(paxos.violations()).as("PAXOS on seed %d", seed).isEmpty();
    }
  }

  private static SimResult firstFailingSeed(ProtocolVariant variant) {
    for (long seed = 1; seed <= SEEDS_MAX; seed++) {
      SimResult r = Simulation.run(seed, variant, SimTrace.OFF);
      if (r.failed()) {
        return r;
      }
    }
    return null;
  }
}
