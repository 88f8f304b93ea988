package dev.modpaxos.protocol;

import static dev.modpaxos.protocol.ScenarioHarness.from;
import static dev.modpaxos.protocol.ScenarioHarness.text;
import static dev.modpaxos.protocol.ScenarioHarness.to;
import static dev.modpaxos.protocol.ScenarioHarness.type;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Step-by-step scenarios compared with golden transcripts in src/test/resources/scenarios/. Each
 * also asserts its outcome directly, so a regenerated golden file cannot hide a wrong result.
 */
class ScenarioTest {

  @Test
  void workedSetOneCommitsTheFourLocalTransfersWhenS1IsShort() {
    ScenarioHarness h = new ScenarioHarness(5, RoundTrigger.ON_DEMAND);
    h.note("set 1: four transfers are funded locally and only logged; nothing is sent")
        .submit(1, "S1>S3:45")
        .submit(3, "S3>S5:55")
        .submit(2, "S2>S4:30")
        .submit(5, "S5>S1:50")
        .note("(S1, S3, 75): S1 has 55 locally, so it runs a round to collect every log")
        .runRound(1)
        .deliverAll()
        .state();
    h.assertMatchesGolden("worked-set-1");
    for (int id = 1; id <= 5; id++) {
      assertThat(h.replica(id).committedSlot()).isEqualTo(1);
      assertThat(text(h.replica(id).chosen(1).entries()))
          .isEqualTo("[S1>S3:45, S2>S4:30, S3>S5:55, S5>S1:50]");
      assertThat(h.replica(id).localLog()).isEmpty();
    }
    assertThat(h.replica(1).isLeader()).isTrue();
  }

  @Test
  void concurrentProposersDecideOneBlock() {
    ScenarioHarness h = new ScenarioHarness(3, RoundTrigger.ON_DEMAND);
    h.submit(1, "a").submit(2, "b")
        .note("S1 and S2 both prepare; S2's higher ballot overtakes S1's")
        .runRound(1)
        .runRound(2)
        .deliverAll()
        .note("S1 retries after back-off: its entry is already chosen, nothing is left to decide")
        .tick(1, 5)
        .deliverAll()
        .state();
    h.assertMatchesGolden("concurrent-proposers");
    for (int id = 1; id <= 3; id++) {
      assertThat(h.replica(id).committedSlot()).isEqualTo(h.replica(1).committedSlot());
      assertThat(h.replica(id).chosenEntries()).isEqualTo(2);
    }
  }

  @Test
  void leaderFailingBeforeCommitLeavesItsValueToBeReproposed() {
    ScenarioHarness h = new ScenarioHarness(3, RoundTrigger.ON_DEMAND);
    h.submit(1, "x").runRound(1)
        .deliverWhile(type("PREPARE").or(type("PROMISE")).or(type("ACCEPT")))
        .note("S2 and S3 accepted [x]; S1 crashes before it hears ACCEPTED")
        .crash(1)
        .submit(2, "y")
        .note("S2 must re-propose [x] for slot 1 (highest-ballot rule), then propose [y]")
        .runRound(2)
        .deliverAll()
        .note("S1 does not answer: after promiseWaitTicks S2 goes on with the majority it has")
        .tick(2, 3)
        .deliverAll()
        .state();
    h.assertMatchesGolden("leader-fails-before-commit");
    assertThat(text(h.replica(2).chosen(1).entries())).isEqualTo("[x]");
    assertThat(text(h.replica(2).chosen(2).entries())).isEqualTo("[y]");
    assertThat(h.replica(3).committedSlot()).isEqualTo(2);
  }

  @Test
  void withoutAMajorityNothingIsCommitted() {
    ScenarioHarness h = new ScenarioHarness(5, RoundTrigger.ON_DEMAND);
    h.submit(4, "S4>S5:55").runRound(4)
        .note("only S4 and S5 are live: messages to S1, S2, S3 are lost")
        .drop(to(1).or(to(2)).or(to(3)))
        .deliverAll();
    for (int attempt = 0; attempt < 4; attempt++) {
      h.tick(4, 12).drop(to(1).or(to(2)).or(to(3))).deliverAll();
    }
    h.state();
    h.assertMatchesGolden("no-majority");
    assertThat(h.replica(4).committedSlot()).isZero();
    assertThat(h.replica(5).committedSlot()).isZero();
    assertThat(text(h.replica(4).localLog())).isEqualTo("[S4>S5:55]");
  }

  @Test
  void slowAcceptorWithADecidedValueGetsTheCommitNotAReproposal() {
    ScenarioHarness h = new ScenarioHarness(3, RoundTrigger.ON_DEMAND);
    h.submit(1, "p").runRound(1)
        .deliverWhile(type("PREPARE").or(type("PROMISE")).or(type("ACCEPT")).or(type("ACCEPTED")))
        .note("S3 accepted [p] but its COMMIT is lost")
        .drop(type("COMMIT").and(to(3)))
        .deliverAll()
        .submit(1, "q")
        .runRound(1)
        .note("S3 promises with its old accepted value for slot 1; S1 sends it slot 1 instead")
        .deliverAll()
        .state();
    h.assertMatchesGolden("slow-acceptor-decided-value");
    assertThat(text(h.replica(1).chosen(2).entries())).isEqualTo("[q]");
    assertThat(text(h.replica(3).chosen(1).entries())).isEqualTo("[p]");
    assertThat(h.replica(3).committedSlot()).isEqualTo(2);
  }

  @Test
  void entriesAlreadyChosenAreNotChosenAgainWhenReSent() {
    ScenarioHarness h = new ScenarioHarness(3, RoundTrigger.ON_DEMAND);
    h.submit(2, "b1").runRound(1)
        .deliverWhile(type("PREPARE").or(type("PROMISE")).or(type("ACCEPT")).or(type("ACCEPTED")))
        .note("S2 misses the COMMIT, so its local log still holds b1")
        .drop(type("COMMIT").and(to(2)))
        .deliverAll()
        .submit(2, "b2")
        .runRound(1)
        .deliverAll()
        .state();
    h.assertMatchesGolden("no-duplicate-after-missed-commit");
    assertThat(text(h.replica(1).chosen(1).entries())).isEqualTo("[b1]");
    assertThat(text(h.replica(1).chosen(2).entries())).isEqualTo("[b2]");
    assertThat(h.replica(2).localLog()).isEmpty();
  }

  @Test
  void recoveredNodeCatchesUpBeforeItProposes() {
    ScenarioHarness h = new ScenarioHarness(3, RoundTrigger.ON_DEMAND);
    h.crash(3)
        .submit(1, "one").runRound(1).deliverAll().tick(1, 3).deliverAll()
        .submit(2, "two").runRound(2).deliverAll().tick(2, 3).deliverAll()
        .restart(3)
        .drop(from(3)) // its start-up catch-up requests are lost too
        .submit(3, "three")
        .runRound(3)
        .note("S3 is behind: the acceptors refuse, it fetches slots 1-2, then proposes slot 3")
        .deliverAll()
        .tick(3, 3)
        .deliverAll()
        .state();
    h.assertMatchesGolden("recovered-node-catches-up");
    assertThat(h.replica(3).committedSlot()).isEqualTo(3);
    assertThat(text(h.replica(3).chosen(3).entries())).isEqualTo("[three]");
    assertThat(text(h.replica(1).chosen(3).entries())).isEqualTo("[three]");
  }
}
