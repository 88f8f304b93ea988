package dev.modpaxos.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Found by the chaos wipe fault (docs/RELIABILITY.md): with the bank's timing (an on-demand round
 * waits up to 300 ticks for every member's promise, R14), a member wiped before any slot was
 * chosen stalled the four others for good. Each round waited for the learner, which never
 * promises (R16), and the voters holding its pooled re-admission campaigned for it meanwhile, so
 * every round was pre-empted by the next. A round no longer waits for a member whose re-admission
 * it holds, and a voter yields to a live round for as long as that round may wait.
 */
class LearnerStallTest {
  @Test
  void fourVotersChooseAndReadmitTheFifthWipedAtSlotZeroWithTheBanksTiming() {
    ScenarioHarness h = new ScenarioHarness(5, RoundTrigger.ON_DEMAND,
        b -> b.promiseWaitTicks(300).roundAttemptsMax(2));
    h.run(5);
    h.wipe(2).restart(2);
    h.submit(1, "a").runRound(1);
    h.run(600);
    assertThat(h.replica(1).committedSlot()).as(h.transcript()).isPositive();
    assertThat(h.replica(2).isVoting()).as("S2 re-admitted").isTrue();
    assertThat(h.replica(2).generation()).isEqualTo(2);
    long prepares = h.transcript().lines().filter(l -> l.contains(" PREPARE ")).count();
    assertThat(prepares).as("PREPAREs sent: no duel").isLessThanOrEqualTo(8);
  }
}
