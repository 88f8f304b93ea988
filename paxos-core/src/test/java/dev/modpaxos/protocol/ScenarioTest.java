package dev.modpaxos.protocol;

import static dev.modpaxos.protocol.ScenarioHarness.from;
import static dev.modpaxos.protocol.ScenarioHarness.text;
import static dev.modpaxos.protocol.ScenarioHarness.to;
import static dev.modpaxos.protocol.ScenarioHarness.type;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.spi.StateLoss;
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
        .note("S2 must re-propose [x] for slot 1 (highest-ballot rule); [y] goes out for slot 2 alongside (R18)")
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

  // ---- lost state (R16, R17): the three ways the pre-generation R16 broke safety ----------

  @Test
  void ballotIsNeverReusedAfterAmnesia() {
    ScenarioHarness h = new ScenarioHarness(5, RoundTrigger.ON_DEMAND);
    h.submit(1, "V").runRound(1)
        .note("S1 wins 1.1 with S2 and S3; its ACCEPT(1.1, [V]) reaches only S2")
        .drop(type("PREPARE").and(to(4).or(to(5))))
        .deliverWhile(type("PREPARE").or(type("PROMISE")))
        .tick(1, 2)
        .drop(type("ACCEPT").and(to(3).or(to(4)).or(to(5))))
        .deliverWhile(type("ACCEPT").or(type("ACCEPTED")))
        .loseState(1, StateLoss.ACCEPTOR_STATE)
        .restart(1)
        .note("S1 forgot 1.1; it must neither propose nor vote as its old generation")
        .trySubmit(1, "W")
        .runRound(1)
        .drop(from(1))
        .note("S2 prepares at 2.2 with S3-S5 and must find V, the only value accepted at 1.1")
        .runRound(2)
        .deliverAll()
        .tick(2, 3)
        .deliverAll()
        .note("S1 learns slot 1 and asks to be re-admitted; a member proposes that change")
        .run(30)
        .note("S1 is generation 2: new ballots (x.1g2) and new entry ids")
        .submit(1, "W")
        .runRound(1)
        .run(10)
        .state();
    h.assertMatchesGolden("ballot-never-reused-after-amnesia");
    for (int id = 1; id <= 5; id++) {
      assertThat(text(h.replica(id).chosen(1).entries())).isEqualTo("[V]");
      assertThat(text(h.replica(id).chosen(2).entries())).isEqualTo("[readmit S1 g1->g2]");
    }
    assertThat(h.replica(1).generation()).isEqualTo(2);
    assertThat(text(h.replica(1).chosen(3).entries())).isEqualTo("[W@1:g2:1]");
    assertThat(h.replica(1).promised().generation()).isEqualTo(2);
  }

  @Test
  void promiseForgottenWhileAPrepareIsInFlightNeverDecidesTwoBlocks() {
    ScenarioHarness h = new ScenarioHarness(5, RoundTrigger.ON_DEMAND);
    h.submit(4, "s1").runRound(4).deliverAll().tick(4, 3).deliverAll()
        .note("slot 1 is decided; S1 prepares 2.1: S2 promises, the copy to S3 is delayed")
        .submit(1, "p1")
        .runRound(1)
        .drop(type("PREPARE").and(to(4).or(to(5))))
        .deliverWhile(type("PREPARE").and(to(2)).or(type("PROMISE")))
        .loseState(2, StateLoss.ACCEPTOR_STATE)
        .restart(2)
        .note("S4 tries slot 2 at a higher ballot with S2 and S5: S2 no longer votes")
        .submit(4, "q")
        .runRound(4)
        .deliverWhile(from(4).and(to(2).or(to(5))).or(to(4)).or(from(2)))
        .note("the delayed PREPARE(2.1) reaches S3: S1 counts S1, S2 (its promise stands) and S3")
        .deliverAll()
        .note("S2 never votes as generation 1 again: whoever decides slot 2 needs S3, S4 or S5")
        .run(80)
        .state();
    h.assertMatchesGolden("promise-forgotten-with-prepare-in-flight");
    long committed = h.replica(1).committedSlot();
    for (int id = 1; id <= 5; id++) {
      assertThat(h.replica(id).committedSlot()).isEqualTo(committed);
      for (long slot = 1; slot <= committed; slot++) {
        assertThat(h.replica(id).chosen(slot)).isEqualTo(h.replica(1).chosen(slot));
      }
    }
    assertThat(h.replica(2).generation()).isEqualTo(2);
    assertThat(h.replica(1).localLog()).isEmpty();
    assertThat(h.replica(4).localLog()).isEmpty();
  }

  @Test
  void entryIdIsNeverReusedAfterLostChosenBlocks() {
    ScenarioHarness h = new ScenarioHarness(3, RoundTrigger.ON_DEMAND);
    h.submit(1, "a").runRound(1).deliverAll().tick(1, 3).deliverAll()
        .note("[a] (entry 1:1) is chosen and leaves S1's local log; then S1's disk loses slot 1")
        .tick(1, 1)
        .loseState(1, StateLoss.CHOSEN_BLOCKS)
        .restart(1)
        .note("S1 cannot know which ids it used: it hands out none as its old generation")
        .trySubmit(1, "b")
        .run(30)
        .submit(1, "b")
        .runRound(1)
        .run(10)
        .state();
    h.assertMatchesGolden("entry-id-never-reused-after-lost-blocks");
    for (int id = 1; id <= 3; id++) {
      assertThat(text(h.replica(id).chosen(1).entries())).isEqualTo("[a]");
      assertThat(text(h.replica(id).chosen(3).entries())).isEqualTo("[b@1:g2:1]");
    }
    assertThat(h.replica(1).localLog()).isEmpty();
  }
}
