package dev.modpaxos.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.protocol.SlotBlock;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each checker, fed a breach of its property directly, reports it; fed a clean history, not. */
class CheckersTest {
  private final Violations violations = new Violations(() -> 7);
  private final TransferApp app = new TransferApp();
  private final Entry a = entry(1, 1, 0, 1, 5);
  private final Entry b = entry(2, 1, 1, 2, 5);

  private static Entry entry(int origin, long seq, int from, int to, long amount) {
    return new Entry(origin, seq, new Transfer(from, to, amount, origin * 100L + seq).encode());
  }

  private static SlotBlock slot(long slot, Entry... entries) {
    return new SlotBlock(slot, new Block(List.of(entries)));
  }

  private String only() {
    assertThat(violations.count()).isEqualTo(1);
    return violations.first().get(0).toString();
  }

  @Test
  void agreementCatchesTwoBlocksAppliedForOneSlot() {
    AgreementChecker c = new AgreementChecker(violations, 2);
    c.onApplied(1, slot(1, a), app);
    c.onApplied(2, slot(1, a), app);
    assertThat(violations.count()).isZero();
    c.onApplied(3, slot(1, b), app);
    assertThat(only()).startsWith("AgreementChecker t=7: slot 1 was applied as");
  }

  @Test
  void agreementAllowsAdmissionToDropEntriesButNotToAddOne() {
    AgreementChecker c = new AgreementChecker(violations, 2);
    Block voted = new Block(List.of(a, b));
    c.onVoted(1, new Proposal(1, new Ballot(1, 1), voted));
    c.onVoted(2, new Proposal(1, new Ballot(1, 1), voted));
    c.onApplied(1, slot(1, b), app); // R18: a dropped as already chosen or fenced
    assertThat(violations.count()).isZero();
    c.onVoted(1, new Proposal(2, new Ballot(1, 1), new Block(List.of(a))));
    c.onVoted(2, new Proposal(2, new Ballot(1, 1), new Block(List.of(a))));
    c.onApplied(1, slot(2, b), app);
    assertThat(only()).contains("applied Block[" + b.id() + "] for slot 2 but a majority voted");
  }

  @Test
  void agreementCatchesTwoValuesChosenByMajoritiesThatNobodyApplied() {
    AgreementChecker c = new AgreementChecker(violations, 2);
    c.onVoted(1, new Proposal(1, new Ballot(1, 1), new Block(List.of(a))));
    c.onVoted(2, new Proposal(1, new Ballot(1, 1), new Block(List.of(a))));
    c.onVoted(2, new Proposal(1, new Ballot(2, 3), new Block(List.of(b))));
    assertThat(violations.count()).isZero();
    c.onVoted(3, new Proposal(1, new Ballot(2, 3), new Block(List.of(b))));
    assertThat(only()).contains("a majority of {1=1, 2=1, 3=1} voted at ballot 2.3");
  }

  @Test
  void agreementCountsOnlyCurrentGenerationsAndReportsASlotAppliedWithoutAMajorityInForce() {
    AgreementChecker c = new AgreementChecker(violations, 2);
    c.onVoted(1, 1, new Proposal(1, new Ballot(1, 1), new Block(List.of(a))));
    c.onVoted(2, 2, new Proposal(1, new Ballot(1, 1), new Block(List.of(a)))); // R17: not current
    c.onApplied(1, slot(1, a), app);
    assertThat(violations.count()).isZero();
    c.onLivenessPhaseEnd(0);
    assertThat(only()).contains("slot 1 was applied as")
        .contains("but no majority of {1=1, 2=1, 3=1} voted for it at one ballot");
  }

  @Test
  void durabilityCatchesAReportedBlockLostOrChangedByARestart() {
    DurabilityChecker c = new DurabilityChecker(violations);
    c.onApplied(1, slot(1, a), app);
    c.onRestarted(1, List.of(new Block(List.of(a))));
    assertThat(violations.count()).isZero();
    c.onRestarted(1, List.of());
    assertThat(only()).contains("node 1 reported slots up to 1 but restarted with 0");
  }

  @Test
  void durabilityAllowsOnlyUnsyncedBlocksToBeLostAndNeverChanged() {
    DurabilityChecker c = new DurabilityChecker(violations);
    c.onApplied(1, slot(1, a), app);
    c.onApplied(1, slot(2, b), app);
    c.onRestarted(1, 1, List.of(new Block(List.of(a))), 1); // slot 2 was never synced (R15)
    assertThat(violations.count()).isZero();
    c.onApplied(1, slot(1, a), app); // replayed
    c.onApplied(1, slot(2, a), app); // fetched again, but changed
    assertThat(only()).contains("node 1 changed slot 2");
  }

  @Test
  void durabilityCatchesASyncedBlockLostByARestart() {
    DurabilityChecker c = new DurabilityChecker(violations);
    c.onApplied(1, slot(1, a), app);
    c.onApplied(1, slot(2, b), app);
    c.onRestarted(1, 1, List.of(new Block(List.of(a))), 2); // slot 2 was synced: lost
    assertThat(only()).contains("reported slots up to 2 but restarted with 1 (synced through 2)");
  }

  @Test
  void integrityCatchesAnAcknowledgedIdHandedOutAgain() {
    IntegrityChecker c = new IntegrityChecker(violations);
    Entry again = new Entry(a.origin(), a.seq(), new byte[] {42});
    c.onSubmitted(1, a);
    c.onSubmitted(1, again); // not acknowledged yet: a crash before the sync may reuse it
    assertThat(violations.count()).isZero();
    c.onDurable(1, a);
    c.onSubmitted(1, a); // the same entry logged again (R17's re-log after a partial crash)
    assertThat(violations.count()).isZero();
    c.onSubmitted(1, again);
    assertThat(only()).contains("node 1 reused entry id " + a.id());
  }

  @Test
  void durabilityCatchesSlotsAppliedOutOfOrder() {
    DurabilityChecker c = new DurabilityChecker(violations);
    c.onApplied(1, slot(2, a), app);
    assertThat(only()).contains("applied slot 2 but expected 1");
  }

  @Test
  void integrityCatchesAnEntryChosenTwiceOrNeverSubmitted() {
    IntegrityChecker c = new IntegrityChecker(violations);
    c.onSubmitted(1, a);
    c.onApplied(1, slot(1, a), app);
    assertThat(violations.count()).isZero();
    c.onApplied(1, slot(2, a), app);
    assertThat(only()).contains("entry 1:1 chosen in slot 1 and in 2");
    c.onApplied(1, slot(3, b), app);
    assertThat(violations.first().get(1).message()).contains("was never submitted as such");
  }

  @Test
  void livenessCatchesADurableEntryNeverChosen() {
    LivenessChecker c = new LivenessChecker(violations);
    c.onDurable(1, a);
    c.onDurable(2, b);
    c.onApplied(3, slot(1, b), app);
    assertThat(c.satisfied()).isFalse();
    c.onLivenessPhaseEnd(100);
    assertThat(only()).contains("entry 1:1 acknowledged durable on node 1 not chosen within 100");
  }

  @Test
  void staleReadsCatchesAReadBelowASlotAppliedBeforeItWasCalled() {
    StaleReadChecker c = new StaleReadChecker(violations);
    c.onReadCalled(2, 1); // before anything was applied: slot 0 is fresh enough
    c.onApplied(1, slot(1, a), app);
    c.onReadServed(2, 1, 0);
    c.onReadCalled(2, 2);
    c.onReadFailed(2, 2, new RuntimeException("no majority")); // a failed read is allowed
    c.onReadCalled(3, 1);
    c.onApplied(1, slot(2, b), app); // applied after the call: the read need not see it
    c.onReadServed(3, 1, 1);
    assertThat(violations.count()).isZero();
    c.onReadCalled(2, 3);
    c.onReadServed(2, 3, 1);
    assertThat(only()).contains("node 2 served read #3 at slot 1, but slot 2 was applied before");
    assertThat(c.served()).isEqualTo(3);
    assertThat(c.failed()).isEqualTo(1);
    assertThat(c.stale()).isEqualTo(1);
  }

  @Test
  void conservationCatchesANegativeBalanceAndDivergentReplicas() {
    ConservationChecker c = new ConservationChecker(violations);
    TransferApp overdrawn = new TransferApp();
    SlotBlock big = slot(1, entry(1, 1, 0, 1, 150));
    overdrawn.apply(1, big.block());
    c.onApplied(1, big, overdrawn);
    assertThat(only()).contains("account 0 at -50 after slot 1");
    TransferApp other = new TransferApp();
    other.apply(1, slot(1, a).block());
    c.onApplied(2, slot(1, a), other);
    assertThat(violations.first().get(1).message()).contains("another replica");
  }
}
