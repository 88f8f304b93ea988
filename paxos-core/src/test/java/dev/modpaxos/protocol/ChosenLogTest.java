package dev.modpaxos.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The learner's log: R4 (ids), R9 (commit in slot order), R15 (removal one batch late). */
class ChosenLogTest {
  private static final int SELF = 3;

  private static Entry entry(int origin, long seq, int payload) {
    return new Entry(origin, seq, new byte[] {(byte) payload});
  }

  private static Block block(Entry... entries) {
    return new Block(List.of(entries));
  }

  private static ChosenLog log(Effects out, List<Block> chosen, List<Entry> local, Proposal acc) {
    return new ChosenLog(SELF, out, chosen, local, acc == null ? List.of() : List.of(acc), 1);
  }

  /** Admits every entry that is not a duplicate; applies no membership change. */
  static final ChosenLog.Admission ALL =
      new ChosenLog.Admission() {
        @Override
        public boolean fenced(Entry e) {
          return false;
        }

        @Override
        public boolean admits(boolean alreadyChosen, boolean fenced) {
          return !alreadyChosen && !fenced;
        }

        @Override
        public void committed(SlotBlock admitted) {}
      };

  private static List<SlotBlock> commit(ChosenLog log, long slot, Block b) {
    return log.commit(slot, b, ALL).stream().map(ChosenLog.Decided::admitted).toList();
  }

  private static ChosenLog empty(Effects out) {
    return log(out, List.of(), List.of(), null);
  }

  @Test
  void localEntryChosenBeforeALostRemovalIsRemovedAtBoot() {
    Effects out = new Effects();
    Entry a = entry(SELF, 1, 1);
    Entry b = entry(SELF, 2, 2);
    ChosenLog log = log(out, List.of(block(a)), List.of(a, b), null);
    assertThat(out.removed).containsExactly(a.id());
    assertThat(log.localLog()).containsExactly(b);
    assertThat(log.append(new byte[] {3}, 1).seq()).isEqualTo(3);
  }

  @Test
  void localEntryChosenUnderItsIdWithAnotherPayloadStopsTheBoot() {
    Entry chosen = entry(SELF, 1, 1);
    Entry mine = entry(SELF, 1, 2);
    assertThatThrownBy(() -> log(new Effects(), List.of(block(chosen)), List.of(mine), null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("reused");
  }

  @Test
  void foreignEntryInTheLocalLogIsRefused() {
    assertThatThrownBy(() -> log(new Effects(), List.of(), List.of(entry(1, 1, 1)), null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ownEntryOfAnAcceptedValueForTheNextSlotIsPendingAgain() {
    Effects out = new Effects();
    Entry x = entry(SELF, 1, 1);
    ChosenLog log = log(out, List.of(), List.of(), new Proposal(1, new Ballot(1, 1), block(x)));
    assertThat(log.localLog()).containsExactly(x);
    assertThat(out.appended).containsExactly(x);
  }

  @Test
  void ownEntryOfAnAcceptedValueForACommittedSlotOnlyRaisesNextSeq() {
    Effects out = new Effects();
    Entry x = entry(SELF, 1, 1);
    Block other = block(entry(1, 1, 9));
    ChosenLog log =
        log(out, List.of(other), List.of(), new Proposal(1, new Ballot(1, 1), block(x)));
    assertThat(log.localLog()).as("slot 1 was decided otherwise; [x] lost").isEmpty();
    assertThat(out.appended).isEmpty();
    assertThat(log.append(new byte[] {2}, 1).seq()).as("the id 3:1 is never handed out again")
        .isEqualTo(2);
  }

  @Test
  void commitAheadOfAGapWaitsUntilTheGapIsFilled() {
    ChosenLog log = empty(new Effects());
    Block b1 = block(entry(1, 1, 1));
    Block b2 = block(entry(1, 2, 2));
    Block b3 = block(entry(1, 3, 3));
    assertThat(commit(log, 3, b3)).isEmpty();
    assertThat(commit(log, 1, b1)).extracting(SlotBlock::slot).containsExactly(1L);
    assertThat(log.committedSlot()).as("slot 3 still waits for slot 2").isEqualTo(1);
    assertThat(commit(log, 2, b2)).extracting(SlotBlock::slot).containsExactly(2L, 3L);
    assertThat(log.block(3)).isEqualTo(b3);
    assertThat(log.isChosen(new EntryId(1, 3))).isTrue();
  }

  @Test
  void duplicateCommitChangesNothing() {
    ChosenLog log = empty(new Effects());
    Block b1 = block(entry(1, 1, 1));
    commit(log, 1, b1);
    assertThat(commit(log, 1, block(entry(2, 1, 1)))).isEmpty();
    assertThat(log.committedSlot()).isEqualTo(1);
    assertThat(log.block(1)).isEqualTo(b1);
    assertThat(log.chosenEntries()).isEqualTo(1);
  }

  @Test
  void atMostTheEarlyBlockCapIsBufferedAheadOfAGap() {
    ChosenLog log = empty(new Effects());
    int cap = 1024;
    for (long slot = 2; slot <= cap + 2; slot++) {
      assertThat(commit(log, slot, Block.EMPTY)).isEmpty();
    }
    List<SlotBlock> done = commit(log, 1, Block.EMPTY);
    assertThat(done).hasSize(cap + 1);
    assertThat(log.committedSlot()).as("slot %d was dropped; catch-up fetches it", cap + 2)
        .isEqualTo(cap + 1);
  }

  @Test
  void ownEntryChosenWithAnotherPayloadThanLoggedIsAnAlarm() {
    ChosenLog log = empty(new Effects());
    Entry mine = log.append(new byte[] {1}, 1);
    Block lying = block(new Entry(SELF, mine.seq(), new byte[] {2}));
    assertThatThrownBy(() -> commit(log, 1, lying))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("was chosen as");
  }

  @Test
  void chosenOwnEntryLeavesTheStoreOneBatchAfterASyncCoveredItsBlock() {
    Effects out = new Effects();
    ChosenLog log = empty(out);
    Entry mine = log.append(new byte[] {1}, 1);
    commit(log, 1, block(mine));
    assertThat(log.localLogSize()).isZero();
    log.drainRemovals(false, true);
    assertThat(out.drain(Rules.PAXOS).removed()).as("the batch that writes the block").isEmpty();
    assertThat(log.awaitsSync()).as("its block is unsynced: a tick flushes it").isTrue();
    log.drainRemovals(false, true);
    assertThat(out.drain(Rules.PAXOS).removed()).as("no sync came in between (R15)").isEmpty();
    log.drainRemovals(true, true);
    assertThat(out.drain(Rules.PAXOS).removed()).as("the batch that syncs it").isEmpty();
    assertThat(log.awaitsSync()).isFalse();
    log.drainRemovals(false, true);
    assertThat(out.drain(Rules.PAXOS).removed()).containsExactly(mine.id());
    log.drainRemovals(false, true);
    assertThat(out.drain(Rules.PAXOS).removed()).as("each removal once").isEmpty();
  }

  @Test
  void theBrokenRemovalRuleRemovesOneBatchLaterWithoutASync() {
    Effects out = new Effects();
    ChosenLog log = empty(out);
    Entry mine = log.append(new byte[] {1}, 1);
    commit(log, 1, block(mine));
    log.drainRemovals(false, false);
    out.drain(Rules.PAXOS);
    log.drainRemovals(false, false);
    assertThat(out.drain(Rules.PAXOS).removed()).containsExactly(mine.id());
  }

  @Test
  void ownEntryChosenButNeverLoggedStillRaisesNextSeq() {
    ChosenLog log = empty(new Effects());
    commit(log, 1, block(entry(SELF, 7, 1)));
    assertThat(log.append(new byte[] {1}, 1).seq()).isEqualTo(8);
  }

  @Test
  void relogGivesOlderEntriesNewIdsOfTheGenerationInLogOrder() {
    Effects out = new Effects();
    Entry a = entry(SELF, 1, 1);
    Entry b = entry(SELF, 2, 2);
    ChosenLog log = log(out, List.of(), List.of(b, a), null);
    log.relogOlderGenerations(2);
    long first = EntryId.firstSeq(2);
    assertThat(log.localLog()).extracting(Entry::seq).containsExactly(first, first + 1);
    assertThat(new ArrayList<>(log.localLog()).get(0).payload()).containsExactly(1);
    assertThat(out.appended).hasSize(2);
    assertThat(log.append(new byte[] {3}, 2).seq()).isEqualTo(first + 2);
  }

  @Test
  void relogAgainAfterAPartlyPersistedAttemptReusesTheSameIds() {
    Effects out = new Effects();
    Entry a = entry(SELF, 1, 1);
    Entry copy = new Entry(SELF, EntryId.firstSeq(2), new byte[] {1});
    ChosenLog log = log(out, List.of(), List.of(a, copy), null);
    log.relogOlderGenerations(2);
    assertThat(log.localLog()).containsExactly(copy);
    assertThat(out.appended).as("the copy is already durable").isEmpty();
  }

  @Test
  void relogKeepsSeqOrderWhenOnlyALaterCopySurvivedTheEarlierAttempt() {
    Effects out = new Effects();
    Entry a = entry(SELF, 1, 1);
    Entry b = entry(SELF, 2, 2);
    Entry copyOfB = new Entry(SELF, EntryId.firstSeq(2) + 1, new byte[] {2});
    ChosenLog log = log(out, List.of(), List.of(a, b, copyOfB), null);
    log.relogOlderGenerations(2);
    assertThat(log.localLog()).extracting(Entry::seq)
        .containsExactly(EntryId.firstSeq(2), EntryId.firstSeq(2) + 1);
    log.checkInvariants();
  }

  @Test
  void relogOntoACopyWithAnotherPayloadIsAnAlarm() {
    Entry a = entry(SELF, 1, 1);
    Entry other = new Entry(SELF, EntryId.firstSeq(2), new byte[] {9});
    ChosenLog log = log(new Effects(), List.of(), List.of(a, other), null);
    assertThatThrownBy(() -> log.relogOlderGenerations(2))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void blocksFillTheByteBudgetExactlyAndStopAtIt() {
    ChosenLog log = empty(new Effects());
    for (long slot = 1; slot <= 3; slot++) {
      commit(log, slot, block(new Entry(1, slot, new byte[8])));
    }
    long size = Budget.sizeOf(log.block(1));
    assertThat(log.blocks(1, 10, 2 * size)).hasSize(2);
    assertThat(log.blocks(1, 10, 2 * size - 1)).hasSize(1);
    assertThat(log.blocks(2, 10)).hasSize(2);
    assertThat(log.blocks(4, 10)).isEmpty();
    assertThat(log.blocks(0, 10)).isEmpty();
  }
}
