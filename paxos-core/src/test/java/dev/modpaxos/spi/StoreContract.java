package dev.modpaxos.spi;

import static dev.modpaxos.spi.SnapshotChecks.assertSnapshot;
import static dev.modpaxos.spi.SnapshotChecks.commitSnapshot;
import static dev.modpaxos.spi.SnapshotChecks.crc32c;
import static dev.modpaxos.spi.SnapshotChecks.snapshotBytes;
import static dev.modpaxos.spi.SnapshotChecks.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.EntryId;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.protocol.SlotBlock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.function.Function;
import java.util.TreeMap;
import java.util.Map;
import java.util.Random;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link Store} contract, written once and run against every implementation (STYLE.md,
 * "contract suites"). A subclass says how to open a fresh store and how to reopen one over the same
 * durable state; every test here then checks one promise of the SPI Javadoc.
 *
 * <p>Stores opened through {@link #fresh()} and {@link #reopen(Store)} are closed after each test.
 */
public abstract class StoreContract {
  private final List<Store> opened = new ArrayList<>();

  /** Opens a new, empty store. Called at most once per test. */
  protected abstract Store openFresh();

  /**
   * Opens a store over the durable state of {@code closed}, which the caller has closed. May
   * return the same instance when the implementation survives close then load (in memory).
   */
  protected abstract Store openAgain(Store closed);

  /**
   * Damages the durable state of {@code closed} (closed by the caller) the way a bad disk would,
   * so that the next load must report {@link StateLoss#ACCEPTOR_STATE}.
   */
  protected abstract void loseAcceptorState(Store closed);

  /**
   * The process holding {@code open} dies without {@code close()}: every synced write survives,
   * and any subset of the unsynced ones (the implementation's choice). Returns the store opened
   * again over what survived, not yet loaded.
   */
  protected abstract Store openAfterCrash(Store open);

  /**
   * The host holding {@code open} loses power: every synced write survives and so does every
   * unsynced one, except the chosen blocks of the slots {@code survives} rejects. Precondition:
   * since the last sync the only writes were {@code saveChosen} of {@code firstUnsynced},
   * {@code firstUnsynced + 1}, ..., in that order. Returns the store opened again, not loaded.
   */
  protected abstract Store openAfterPowerCut(
      Store open, long firstUnsynced, LongPredicate survives);

  protected final Store fresh() {
    return track(openFresh());
  }

  /** Closes {@code store}, opens it again and returns the new store, not yet loaded. */
  protected final Store reopen(Store store) {
    store.close();
    return track(openAgain(store));
  }

  /** {@link #openAfterCrash}, tracked for closing. */
  protected final Store crashAndReopen(Store store) {
    return track(openAfterCrash(store));
  }

  private Store track(Store store) {
    opened.add(store);
    return store;
  }

  /** Closes every store; one that already failed may fail again on close, which is ignored. */
  @AfterEach
  public void closeStores() {
    for (Store s : opened) {
      try {
        s.close();
      } catch (StoreException alreadyFailed) {
        // The SPI says the node stops after a StoreException; nothing more to check here.
      }
    }
  }

  // ---- helpers for subclasses too ----------------------------------------------------------

  public static Entry entry(int origin, long seq, int payloadBytes) {
    byte[] payload = new byte[payloadBytes];
    new Random(origin * 31L + seq).nextBytes(payload);
    return new Entry(origin, seq, payload);
  }

  public static Block block(long slot, int entries) {
    List<Entry> list = new ArrayList<>();
    for (int i = 1; i <= entries; i++) {
      list.add(entry((int) (slot % 5) + 1, slot * 1000 + i, 8 + i));
    }
    return new Block(list);
  }

  // ---- tests -------------------------------------------------------------------------------

  @Test
  public void emptyStoreLoadsEmptyState() {
    StoredState state = fresh().load();
    assertThat(state.identity()).as("a store never initialised has no identity").isNull();
    assertThat(state.promised()).isEqualTo(Ballot.ZERO);
    assertThat(state.accepted()).isEmpty();
    assertThat(state.chosen()).isEmpty();
    assertThat(state.localLog()).isEmpty();
    assertThat(state.losses()).isEmpty();
    assertThat(state.isEmpty()).isTrue();
  }

  @Test
  public void anIdentitySurvivesReopenAndTheLatestReplacesIt() {
    Store s = fresh();
    s.load();
    StoreIdentity founding = StoreIdentity.founding("bank-cluster", 3);
    s.saveIdentity(founding);
    s.sync();
    s = reopen(s);
    StoredState state = s.load();
    assertThat(state.identity()).isEqualTo(founding);
    assertThat(state.isEmpty()).as("an identity alone makes a store non-empty").isFalse();
    assertThat(state.losses()).isEmpty();

    StoreIdentity pending = new StoreIdentity("bank-cluster", 3, StoreIdentity.PENDING, -1L);
    s.saveIdentity(pending);
    s.sync();
    s = reopen(s);
    assertThat(s.load().identity()).isEqualTo(pending);

    StoreIdentity odd = new StoreIdentity("grün ✓ cluster/ℵ0", Integer.MAX_VALUE,
        EntryId.maxGeneration(), Long.MIN_VALUE);
    s.saveIdentity(pending);
    s.saveIdentity(odd);
    s.sync();
    assertThat(reopen(s).load().identity()).isEqualTo(odd);
  }

  @Test
  public void lossesAreReportedOnEveryLoadUntilAnIdentityIsSynced() {
    Store s = fresh();
    s.load();
    s.saveIdentity(StoreIdentity.founding("c", 2));
    s.savePromised(new Ballot(4, 2));
    s.appendLocal(entry(2, 1, 8));
    s.sync();
    s.close();
    loseAcceptorState(s);

    s = track(openAgain(s));
    assertThat(s.load().losses()).as("found at boot").contains(StateLoss.ACCEPTOR_STATE);
    s = reopen(s); // the node stopped again without writing anything
    assertThat(s.load().losses()).as("still reported").contains(StateLoss.ACCEPTOR_STATE);

    s.savePromised(new Ballot(9, 1, 2));
    s.saveAccepted(new Proposal(1, new Ballot(9, 1, 2), block(1, 1)));
    s.appendLocal(entry(2, 2, 8));
    s.sync();
    s = reopen(s);
    assertThat(s.load().losses())
        .as("a synced promise no longer clears a loss").contains(StateLoss.ACCEPTOR_STATE);

    s.saveIdentity(new StoreIdentity("c", 2, StoreIdentity.PENDING, 41));
    s = crashAndReopen(s); // before the identity was synced
    assertThat(s.load().losses())
        .as("an identity that was not synced clears nothing").contains(StateLoss.ACCEPTOR_STATE);

    StoreIdentity pending = new StoreIdentity("c", 2, StoreIdentity.PENDING, 42);
    s.saveIdentity(pending);
    s.sync();
    s = crashAndReopen(s);
    StoredState state = s.load();
    assertThat(state.losses()).as("cleared by the synced identity").isEmpty();
    assertThat(state.identity()).isEqualTo(pending);
    assertThat(state.promised()).isEqualTo(new Ballot(9, 1, 2));
    assertThat(state.localLog()).contains(entry(2, 2, 8));

    s.close();
    loseAcceptorState(s);
    s = track(openAgain(s));
    assertThat(s.load().losses()).as("a later loss is reported again")
        .contains(StateLoss.ACCEPTOR_STATE);
  }

  @Test
  public void syncedWritesSurviveACrashAndUnsyncedOnesMayNot() {
    Store s = fresh();
    s.load();
    StoreIdentity identity = StoreIdentity.founding("c", 1);
    s.saveIdentity(identity);
    s.savePromised(new Ballot(3, 1));
    s.saveChosen(new SlotBlock(1, block(1, 2)));
    s.appendLocal(entry(1, 1, 8));
    s.sync();
    s.savePromised(new Ballot(4, 1));
    s.saveChosen(new SlotBlock(2, block(2, 2)));
    s.appendLocal(entry(1, 2, 8));
    s = crashAndReopen(s);
    StoredState state = s.load();
    assertThat(state.identity()).isEqualTo(identity);
    assertThat(state.promised()).isIn(new Ballot(3, 1), new Ballot(4, 1));
    assertThat(state.chosen()).startsWith(block(1, 2)).hasSizeBetween(1, 2);
    assertThat(state.localLog()).startsWith(entry(1, 1, 8)).hasSizeBetween(1, 2);
    assertThat(state.losses()).as("nothing acknowledged was lost").isEmpty();
  }

  @Test
  public void chosenBlocksAreTheGapFreePrefixAfterAPowerCut() {
    Store s = fresh();
    s.load();
    s.saveIdentity(StoreIdentity.founding("c", 1));
    List<Block> blocks = new ArrayList<>();
    for (long slot = 1; slot <= 8; slot++) {
      blocks.add(block(slot, 2));
    }
    for (long slot = 1; slot <= 3; slot++) {
      s.saveChosen(new SlotBlock(slot, blocks.get((int) slot - 1)));
    }
    s.sync();
    for (long slot = 4; slot <= 8; slot++) {
      s.saveChosen(new SlotBlock(slot, blocks.get((int) slot - 1)));
    }
    // Slot 5 did not reach the disk; 6, 7 and 8 did.
    s = track(openAfterPowerCut(s, 4, slot -> slot != 5));
    StoredState state = s.load();
    assertThat(state.chosen()).containsExactlyElementsOf(blocks.subList(0, 4));
    assertThat(state.losses())
        .as("slot 5 was never acknowledged").doesNotContain(StateLoss.CHOSEN_BLOCKS);

    for (long slot = 5; slot <= 8; slot++) {
      s.saveChosen(new SlotBlock(slot, blocks.get((int) slot - 1)));
    }
    s.sync();
    assertThat(reopen(s).load().chosen()).containsExactlyElementsOf(blocks);
  }

  @Test
  public void generationsAndControlEntriesRoundTrip() {
    Store s = fresh();
    s.load();
    Entry control = new Entry(EntryId.CONTROL, 0x7edc_ba98_7654_3210L, new byte[] {1, 2, 3});
    Entry ofGeneration3 = entry(4, EntryId.firstSeq(3) + 6, 12);
    Entry ofLastGeneration = entry(5, Long.MAX_VALUE, 3);
    Ballot high = new Ballot(Long.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);
    Ballot ofGeneration2 = new Ballot(7, 3, 2);
    Block mixed = new Block(List.of(ofGeneration3, control, entry(1, 1, 0), ofLastGeneration));
    Proposal accepted = new Proposal(2, ofGeneration2, mixed);
    s.savePromised(high);
    s.saveAccepted(accepted);
    s.saveChosen(new SlotBlock(1, mixed));
    s.saveChosen(new SlotBlock(2, new Block(List.of(control))));
    s.appendLocal(control);
    s.appendLocal(ofGeneration3);
    s.appendLocal(ofLastGeneration);
    s.sync();
    StoredState state = reopen(s).load();
    assertThat(state.promised()).isEqualTo(high);
    assertThat(state.promised().generation()).isEqualTo(Integer.MAX_VALUE);
    assertThat(state.accepted()).containsExactly(accepted);
    assertThat(state.lastAccepted().ballot()).isNotEqualTo(new Ballot(7, 3));
    assertThat(state.chosen()).containsExactly(mixed, new Block(List.of(control)));
    assertThat(state.localLog()).containsExactly(control, ofGeneration3, ofLastGeneration);
  }

  @Test
  public void ballotsThatDifferOnlyByGenerationAreKeptApart() {
    Store s = fresh();
    s.load();
    s.savePromised(new Ballot(5, 2, 3));
    s.saveAccepted(new Proposal(1, new Ballot(5, 2, 2), block(1, 1)));
    s.sync();
    StoredState state = reopen(s).load();
    assertThat(state.promised()).isEqualTo(new Ballot(5, 2, 3));
    assertThat(state.lastAccepted().ballot()).isEqualTo(new Ballot(5, 2, 2));
  }

  @Test
  public void lastPromisedBallotSurvivesReopen() {
    Store s = fresh();
    s.load();
    s.savePromised(new Ballot(3, 2));
    s.savePromised(new Ballot(Long.MAX_VALUE, 7));
    s.sync();
    assertThat(reopen(s).load().promised()).isEqualTo(new Ballot(Long.MAX_VALUE, 7));
  }

  @Test
  public void chosenBlocksLoadInSlotOrder() {
    Store s = fresh();
    s.load();
    List<Block> blocks = new ArrayList<>();
    for (long slot = 1; slot <= 20; slot++) {
      Block b = slot % 4 == 0 ? Block.EMPTY : block(slot, (int) slot % 7);
      blocks.add(b);
      s.saveChosen(new SlotBlock(slot, b));
    }
    s.sync();
    assertThat(reopen(s).load().chosen()).containsExactlyElementsOf(blocks);
  }

  @Test
  public void chosenSlotsMustFollowTheLastOneWritten() {
    Store s = fresh();
    s.load();
    assertThatThrownBy(() -> s.saveChosen(new SlotBlock(2, block(2, 1))))
        .as("the first slot is 1").isInstanceOf(StoreException.class);
    s.saveChosen(new SlotBlock(1, block(1, 1)));
    s.sync();
    assertThatThrownBy(() -> s.saveChosen(new SlotBlock(1, block(1, 2))))
        .as("a slot twice").isInstanceOf(StoreException.class);
    assertThatThrownBy(() -> s.saveChosen(new SlotBlock(3, block(3, 1))))
        .as("a gap").isInstanceOf(StoreException.class).hasMessageContaining("3");
    s.saveChosen(new SlotBlock(2, block(2, 1))); // a refused slot changed nothing
    s.sync();
    assertThat(reopen(s).load().chosen()).containsExactly(block(1, 1), block(2, 1));
  }

  @Test
  public void localLogKeepsAppendOrderAcrossReopen() {
    Store s = fresh();
    s.load();
    List<Entry> appended = List.of(entry(3, 9, 4), entry(1, 1, 0), entry(2, 5, 17), entry(1, 2, 1));
    appended.forEach(s::appendLocal);
    s.sync();
    assertThat(reopen(s).load().localLog()).containsExactlyElementsOf(appended);
  }

  @Test
  public void removeLocalRemovesExactlyTheGivenIdsAndIgnoresUnknownOnes() {
    Store s = fresh();
    s.load();
    for (long seq = 1; seq <= 6; seq++) {
      s.appendLocal(entry(1, seq, 5));
    }
    s.sync();
    s.removeLocal(List.of(new EntryId(1, 2), new EntryId(1, 5), new EntryId(9, 9)));
    s.removeLocal(List.of());
    s.sync();
    List<EntryId> left = reopen(s).load().localLog().stream().map(Entry::id).toList();
    assertThat(left)
        .containsExactly(new EntryId(1, 1), new EntryId(1, 3), new EntryId(1, 4), new EntryId(1, 6));
  }

  @Test
  public void reappendingAnEntryKeepsOneCopyInItsPlace() {
    Store s = fresh();
    s.load();
    s.appendLocal(entry(1, 1, 3));
    s.appendLocal(entry(1, 2, 3));
    Entry again = new Entry(1, 1, new byte[] {9});
    s.appendLocal(again);
    s.sync();
    assertThat(reopen(s).load().localLog()).containsExactly(again, entry(1, 2, 3));
  }

  @Test
  public void removedEntryCanBeAppendedAgainAndGoesLast() {
    Store s = fresh();
    s.load();
    s.appendLocal(entry(1, 1, 3));
    s.appendLocal(entry(1, 2, 3));
    s.removeLocal(List.of(new EntryId(1, 1)));
    s.appendLocal(entry(1, 1, 3));
    s.sync();
    assertThat(reopen(s).load().localLog()).containsExactly(entry(1, 2, 3), entry(1, 1, 3));
  }

  @Test
  public void everyWriteKindSurvivesSeveralReopens() {
    Store s = fresh();
    s.load();
    List<Block> chosen = new ArrayList<>();
    for (int round = 1; round <= 3; round++) {
      Ballot promised = new Ballot(round * 10L, round);
      s.savePromised(promised);
      Proposal accepted = new Proposal(round, promised, block(round, 2));
      s.saveAccepted(accepted);
      s.saveChosen(new SlotBlock(round, accepted.block()));
      chosen.add(accepted.block());
      s.appendLocal(entry(1, round, 10));
      s.sync();
      s = reopen(s);
      StoredState state = s.load();
      assertThat(state.promised()).isEqualTo(promised);
      assertThat(state.lastAccepted()).isEqualTo(accepted);
      assertThat(state.chosen()).containsExactlyElementsOf(chosen);
      assertThat(state.localLog()).hasSize(round).last().isEqualTo(entry(1, round, 10));
    }
  }

  @Test
  public void closeMakesPendingWritesDurable() {
    Store s = fresh();
    s.load();
    s.saveIdentity(StoreIdentity.founding("c", 2));
    s.savePromised(new Ballot(5, 1));
    s.appendLocal(entry(2, 1, 8));
    s.saveChosen(new SlotBlock(1, block(1, 2)));
    StoredState state = reopen(s).load();
    assertThat(state.identity()).isEqualTo(StoreIdentity.founding("c", 2));
    assertThat(state.promised()).isEqualTo(new Ballot(5, 1));
    assertThat(state.localLog()).containsExactly(entry(2, 1, 8));
    assertThat(state.chosen()).containsExactly(block(1, 2));
  }

  @Test
  public void closeIsIdempotent() {
    Store s = fresh();
    s.load();
    s.savePromised(new Ballot(1, 1));
    s.close();
    s.close();
    assertThat(reopen(s).load().promised()).isEqualTo(new Ballot(1, 1));
  }

  @Test
  public void largePayloadsRoundTrip() {
    Store s = fresh();
    s.load();
    Entry big = entry(1, 1, 4 << 20);
    List<Entry> bigEntries = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      bigEntries.add(entry(2, i, 1 << 20));
    }
    Block bigBlock = new Block(bigEntries);
    s.appendLocal(big);
    s.saveAccepted(new Proposal(1, new Ballot(1, 1), bigBlock));
    s.saveAccepted(new Proposal(2, new Ballot(2, 1), bigBlock));
    s.saveChosen(new SlotBlock(1, bigBlock));
    s.saveChosen(new SlotBlock(2, bigBlock));
    s.sync();
    StoredState state = reopen(s).load();
    assertThat(state.localLog()).containsExactly(big);
    assertThat(state.accepted()).containsExactly(new Proposal(1, new Ballot(1, 1), bigBlock),
        new Proposal(2, new Ballot(2, 1), bigBlock));
    assertThat(state.chosen()).containsExactly(bigBlock, bigBlock);
  }

  @Test
  public void manyEntriesAndBlocksRoundTrip() {
    Store s = fresh();
    s.load();
    List<Entry> kept = new ArrayList<>();
    for (long seq = 1; seq <= 3000; seq++) {
      Entry e = entry(4, seq, (int) (seq % 64));
      s.appendLocal(e);
      if (seq % 3 == 0) {
        s.removeLocal(List.of(e.id()));
      } else {
        kept.add(e);
      }
    }
    List<Block> chosen = new ArrayList<>();
    for (long slot = 1; slot <= 1000; slot++) {
      chosen.add(block(slot, (int) (slot % 5)));
      s.saveChosen(new SlotBlock(slot, chosen.get(chosen.size() - 1)));
    }
    s.sync();
    StoredState state = reopen(s).load();
    assertThat(state.localLog()).containsExactlyElementsOf(kept);
    assertThat(state.chosen()).containsExactlyElementsOf(chosen);
  }

  // ---- votes per slot (R18) ------------------------------------------------------------

  private static Proposal vote(long slot, long round) {
    return new Proposal(slot, new Ballot(round, 1), block(slot, 2));
  }

  private static Map<Long, Proposal> bySlot(StoredState state) {
    return state.accepted().stream()
        .collect(Collectors.toMap(Proposal::slot, Function.identity()));
  }

  /**
   * {@code state} holds the last vote {@code written} for every slot above {@code highest -
   * dev.modpaxos.protocol.ReplicaConfig.VOTES_KEPT}, and no vote that is not the last one written for its slot (an older slot's may
   * be dropped or kept).
   */
  private static void assertVotes(StoredState state, TreeMap<Long, Proposal> written) {
    long highest = written.lastKey();
    assertThat(state.lastAccepted()).isEqualTo(written.lastEntry().getValue());
    assertThat(state.accepted())
        .containsAll(written.tailMap(highest - dev.modpaxos.protocol.ReplicaConfig.VOTES_KEPT, false).values());
    for (Proposal p : state.accepted()) {
      assertThat(p).as("vote for slot %d", p.slot()).isEqualTo(written.get(p.slot()));
    }
  }

  @Test
  public void votesOfSeveralSlotsSurviveReopenInSlotOrder() {
    Store s = fresh();
    s.load();
    // Out of order, as pipelined ACCEPTs may arrive.
    s.saveAccepted(vote(3, 1));
    s.saveAccepted(vote(1, 1));
    s.saveAccepted(vote(4, 1));
    s.saveAccepted(vote(2, 1));
    s.sync();
    StoredState state = reopen(s).load();
    assertThat(state.accepted()).containsExactly(vote(1, 1), vote(2, 1), vote(3, 1), vote(4, 1));
    assertThat(state.lastAccepted()).isEqualTo(vote(4, 1));
    assertThat(state.losses()).isEmpty();
  }

  @Test
  public void aVoteIsReplacedForItsSlotOnlyAndStaysReplacedAcrossReopens() {
    Store s = fresh();
    s.load();
    s.saveAccepted(vote(5, 1));
    s.saveAccepted(vote(6, 1));
    s.saveAccepted(vote(5, 2));
    s.saveAccepted(new Proposal(5, new Ballot(3, 2), block(50, 1))); // another block, too
    s.sync();
    s = reopen(s);
    StoredState state = s.load();
    assertThat(state.accepted())
        .containsExactly(new Proposal(5, new Ballot(3, 2), block(50, 1)), vote(6, 1));
    // Replaced again after the reopen, an odd and an even number of times.
    s.saveAccepted(vote(5, 4));
    s.saveAccepted(vote(6, 4));
    s.saveAccepted(vote(6, 5));
    s.sync();
    assertThat(reopen(s).load().accepted()).containsExactly(vote(5, 4), vote(6, 5));
  }

  @Test
  public void theVotesOfTheHighestSlotsAreKeptAndOnlySlotsAtOrBelowHighestMinusVotesKeptDrop() {
    Store s = fresh();
    s.load();
    TreeMap<Long, Proposal> written = new TreeMap<>();
    for (long slot = 1; slot <= 3L * dev.modpaxos.protocol.ReplicaConfig.VOTES_KEPT + 5; slot++) {
      written.put(slot, vote(slot, slot));
      s.saveAccepted(written.get(slot));
    }
    s.sync();
    assertVotes(reopen(s).load(), written);
  }

  @Test
  public void aGapInTheSlotsDropsExactlyTheVotesThatFellOutOfTheWindow() {
    Store s = fresh();
    s.load();
    s.saveAccepted(vote(1, 1));
    s.saveAccepted(vote(2, 1));
    s.saveAccepted(vote(14, 1));
    s.saveAccepted(vote(15, 1));
    s.saveAccepted(vote(30, 1)); // 30 - dev.modpaxos.protocol.ReplicaConfig.VOTES_KEPT = 14: slots up to 14 may go, 15 must stay
    s.sync();
    s = reopen(s);
    StoredState state = s.load();
    assertThat(state.accepted()).contains(vote(15, 1), vote(30, 1));
    assertThat(state.accepted()).isSubsetOf(vote(1, 1), vote(2, 1), vote(14, 1), vote(15, 1),
        vote(30, 1));
    s.saveAccepted(vote(31, 1));
    s.sync();
    assertThat(reopen(s).load().accepted())
        .contains(vote(30, 1), vote(31, 1))
        .isSubsetOf(vote(1, 1), vote(2, 1), vote(14, 1), vote(15, 1), vote(30, 1), vote(31, 1));
  }

  @Test
  public void aLateVoteFarBelowTheHighestNeverDisplacesANewerOne() {
    Store s = fresh();
    s.load();
    s.saveAccepted(vote(30, 2));
    s.saveAccepted(vote(14, 3)); // 30 - dev.modpaxos.protocol.ReplicaConfig.VOTES_KEPT: may be dropped, must not cost slot 30's vote
    s.saveAccepted(vote(15, 3)); // inside the window: kept
    s.sync();
    StoredState state = reopen(s).load();
    assertThat(bySlot(state)).containsEntry(30L, vote(30, 2)).containsEntry(15L, vote(15, 3));
    assertThat(state.lastAccepted()).isEqualTo(vote(30, 2));
    assertThat(state.accepted()).isSubsetOf(vote(30, 2), vote(14, 3), vote(15, 3));
  }

  @Test
  public void syncedVotesSurviveACrashAndAnUnsyncedOneIsTheOldVoteOrTheNew() {
    Store s = fresh();
    s.load();
    for (long slot = 1; slot <= 5; slot++) {
      s.saveAccepted(vote(slot, 1));
    }
    s.sync();
    s.saveAccepted(vote(3, 2));
    s.saveAccepted(vote(6, 2));
    StoredState state = crashAndReopen(s).load();
    Map<Long, Proposal> votes = bySlot(state);
    for (long slot : List.of(1L, 2L, 4L, 5L)) {
      assertThat(votes).containsEntry(slot, vote(slot, 1));
    }
    assertThat(votes.get(3L)).isIn(vote(3, 1), vote(3, 2));
    assertThat(votes.get(6L)).isIn(null, vote(6, 2));
    assertThat(state.losses()).isEmpty();
  }

  @Test
  public void lostAcceptorStateLosesTheVotesAndIsReported() {
    Store s = fresh();
    s.load();
    s.saveAccepted(vote(1, 1));
    s.saveAccepted(vote(2, 1));
    s.close();
    loseAcceptorState(s);
    StoredState state = track(openAgain(s)).load();
    assertThat(state.losses()).contains(StateLoss.ACCEPTOR_STATE);
    assertThat(state.accepted()).doesNotContain(vote(1, 1), vote(2, 1));
  }

  /**
   * A pipelining acceptor's pattern, against a model: votes for slots up to {@code
   * PIPELINE_SLOTS_LIMIT} ahead, re-votes for slots still open, reopens in between. After each
   * reopen the store returns every vote of a slot above {@code highest - dev.modpaxos.protocol.ReplicaConfig.VOTES_KEPT} as last
   * written, and no vote that is not its slot's last.
   */
  @Test
  public void pipelinedVotesMatchAModelOverManyReopens() {
    Random random = new Random(42);
    TreeMap<Long, Proposal> model = new TreeMap<>();
    Store s = fresh();
    s.load();
    long committed = 0;
    long round = 1;
    for (int step = 0; step < 600; step++) {
      long slot = committed + 1 + random.nextInt(8);
      if (random.nextInt(10) == 0) {
        round++;
      }
      Proposal p = new Proposal(slot, new Ballot(round, 1 + random.nextInt(3)),
          block(slot * 100 + step, 1 + random.nextInt(3)));
      s.saveAccepted(p);
      model.put(slot, p);
      if (random.nextInt(3) == 0) {
        committed++;
      }
      if (step % 97 == 0) {
        s.sync();
        s = reopen(s);
        assertVotes(s.load(), model);
      }
    }
    s.sync();
    assertVotes(reopen(s).load(), model);
  }

  // ---- snapshots and compaction (R20) ------------------------------------------------------

  private Store snapshottingStore() {
    Store s = fresh();
    org.junit.jupiter.api.Assumptions.assumeTrue(s.supportsSnapshots(), "store keeps no snapshots");
    s.load();
    return s;
  }

  private static List<Block> chooseThrough(Store s, long from, long to) {
    List<Block> blocks = new ArrayList<>();
    for (long slot = from; slot <= to; slot++) {
      blocks.add(block(slot, (int) (slot % 3)));
      s.saveChosen(new SlotBlock(slot, blocks.get(blocks.size() - 1)));
    }
    return blocks;
  }

  @Test
  public void aCommittedSnapshotLoadsWithTheBlocksAfterTheCompactionPoint() {
    Store s = snapshottingStore();
    List<Block> blocks = chooseThrough(s, 1, 10);
    s.sync();
    byte[] bytes = snapshotBytes(6, 150_000); // larger than a store's write buffer, likely
    assertSnapshot(commitSnapshot(s, 6, bytes), 6, bytes);
    s = reopen(s);
    StoredState state = s.load();
    assertSnapshot(state.snapshot(), 6, bytes);
    assertThat(state.compactedSlot()).isZero();
    assertThat(state.chosen()).containsExactlyElementsOf(blocks);

    s.compactThrough(6);
    s.sync();
    s = reopen(s);
    state = s.load();
    assertSnapshot(state.snapshot(), 6, bytes);
    assertThat(state.compactedSlot()).isEqualTo(6);
    assertThat(state.chosen()).containsExactlyElementsOf(blocks.subList(6, 10));
    assertThat(state.chosenSlot()).isEqualTo(10);
    assertThat(state.losses()).isEmpty();
  }

  @Test
  public void compactionDropsTheBlocksUpToItsSlotAndSurvivesReopens() {
    Store s = snapshottingStore();
    List<Block> blocks = chooseThrough(s, 1, 300);
    s.sync();
    byte[] bytes = snapshotBytes(200, 3000);
    commitSnapshot(s, 200, bytes);
    s.compactThrough(150);
    s.sync();
    s = reopen(s);
    StoredState state = s.load();
    assertThat(state.compactedSlot()).isEqualTo(150);
    assertThat(state.chosen()).containsExactlyElementsOf(blocks.subList(150, 300));
    blocks.addAll(chooseThrough(s, 301, 310));
    s.compactThrough(200);
    s.sync();
    s = reopen(s);
    state = s.load();
    assertThat(state.compactedSlot()).isEqualTo(200);
    assertThat(state.chosen()).containsExactlyElementsOf(blocks.subList(200, 310));
    assertSnapshot(state.snapshot(), 200, bytes);
    assertThat(state.losses()).isEmpty();
  }

  @Test
  public void aPartialSnapshotResumesAfterReopenAndAnotherSlotDiscardsIt() {
    Store s = snapshottingStore();
    byte[] bytes = snapshotBytes(5, 10_000);
    SnapshotSink sink = s.openSnapshot(5);
    assertThat(sink.sizeBytes()).isZero();
    write(sink, bytes, 0, 4321);
    s = reopen(s);
    s.load();
    sink = s.openSnapshot(5);
    assertThat(sink.sizeBytes()).as("resumed").isEqualTo(4321);
    assertThat(sink.crc32c()).isEqualTo(crc32c(bytes, 4321));
    write(sink, bytes, 4321, bytes.length);
    assertThat(sink.crc32c()).isEqualTo(crc32c(bytes, bytes.length));
    assertSnapshot(sink.commit(), 5, bytes);
    assertThat(s.openSnapshot(5).sizeBytes()).as("a committed one is not resumed").isZero();

    write(s.openSnapshot(7), bytes, 0, 100);
    s = reopen(s);
    s.load();
    assertThat(s.openSnapshot(8).sizeBytes()).isZero();
    assertThat(s.openSnapshot(7).sizeBytes()).as("discarded by slot 8").isZero();
    s = reopen(s);
    assertSnapshot(s.load().snapshot(), 5, bytes);
  }

  @Test
  public void anAbortedSnapshotIsDiscarded() {
    Store s = snapshottingStore();
    SnapshotSink sink = s.openSnapshot(4);
    write(sink, snapshotBytes(4, 2000), 0, 2000);
    sink.abort();
    sink.abort();
    assertThatThrownBy(() -> sink.stream().write(new byte[10]))
        .isInstanceOf(StoreException.class);
    assertThat(s.openSnapshot(4).sizeBytes()).isZero();
    s = reopen(s);
    StoredState state = s.load();
    assertThat(state.snapshot()).isNull();
    assertThat(state.isEmpty()).isTrue();
    assertThat(s.openSnapshot(4).sizeBytes()).isZero();
  }

  @Test
  public void aNewerSnapshotReplacesAnOlderOne() {
    Store s = snapshottingStore();
    chooseThrough(s, 1, 20);
    s.sync();
    commitSnapshot(s, 5, snapshotBytes(5, 100));
    byte[] newer = snapshotBytes(12, 7000);
    commitSnapshot(s, 12, newer);
    s = reopen(s);
    assertSnapshot(s.load().snapshot(), 12, newer);
    byte[] newest = snapshotBytes(18, 0);
    commitSnapshot(s, 18, newest);
    s.compactThrough(18);
    s.sync();
    s = reopen(s);
    StoredState state = s.load();
    assertSnapshot(state.snapshot(), 18, newest);
    assertThat(state.compactedSlot()).isEqualTo(18);
    assertThat(state.chosen()).hasSize(2);
  }

  @Test
  public void afterAnInstallTheBlocksContinueAfterTheSnapshot() {
    Store s = snapshottingStore();
    chooseThrough(s, 1, 3);
    s.sync();
    byte[] bytes = snapshotBytes(50, 1234);
    commitSnapshot(s, 50, bytes);
    s.compactThrough(50);
    assertThatThrownBy(() -> s.saveChosen(new SlotBlock(4, block(4, 1))))
        .as("slot 51 is next").isInstanceOf(StoreException.class);
    s.saveChosen(new SlotBlock(51, block(51, 2)));
    s.sync();
    Store again = reopen(s);
    StoredState state = again.load();
    assertSnapshot(state.snapshot(), 50, bytes);
    assertThat(state.compactedSlot()).isEqualTo(50);
    assertThat(state.chosen()).containsExactly(block(51, 2));
    assertThat(state.chosenSlot()).isEqualTo(51);
    assertThat(state.losses()).isEmpty();
    again.saveChosen(new SlotBlock(52, block(52, 1)));
    again.sync();
    assertThat(reopen(again).load().chosen()).containsExactly(block(51, 2), block(52, 1));
  }

  @Test
  public void aCrashAfterCommitAndBeforeCompactionKeepsTheSnapshot() {
    Store s = snapshottingStore();
    List<Block> blocks = chooseThrough(s, 1, 10);
    s.sync();
    byte[] own = snapshotBytes(6, 900);
    commitSnapshot(s, 6, own); // an own snapshot: the blocks reach past it
    s = crashAndReopen(s);
    StoredState state = s.load();
    assertSnapshot(state.snapshot(), 6, own);
    assertThat(state.compactedSlot()).isBetween(0L, 6L);
    assertThat(state.chosen())
        .containsExactlyElementsOf(blocks.subList((int) state.compactedSlot(), 10));
    assertThat(state.losses()).isEmpty();

    byte[] installed = snapshotBytes(40, 2500);
    commitSnapshot(s, 40, installed); // an install: above every block
    s = crashAndReopen(s);
    state = s.load();
    assertSnapshot(state.snapshot(), 40, installed);
    assertThat(state.compactedSlot()).as("the run starts after the snapshot").isEqualTo(40);
    assertThat(state.chosen()).isEmpty();
    assertThat(state.chosenSlot()).isEqualTo(40);
    assertThat(state.losses()).isEmpty();

    s.compactThrough(40);
    s.saveChosen(new SlotBlock(41, block(41, 1))); // neither synced
    s = crashAndReopen(s);
    state = s.load();
    assertThat(state.compactedSlot()).isEqualTo(40);
    assertThat(state.chosen()).isSubsetOf(block(41, 1));
    s.saveChosen(new SlotBlock(41 + state.chosen().size(), block(41 + state.chosen().size(), 1)));
    s.sync();
    assertThat(reopen(s).load().chosenSlot()).isGreaterThanOrEqualTo(41);
  }

  @Test
  public void compactionWithoutACoveringSnapshotIsRefusedAndChangesNothing() {
    Store s = snapshottingStore();
    List<Block> blocks = chooseThrough(s, 1, 10);
    s.sync();
    assertThatThrownBy(() -> s.compactThrough(3)).isInstanceOf(StoreException.class);
    commitSnapshot(s, 5, snapshotBytes(5, 10));
    assertThatThrownBy(() -> s.compactThrough(6))
        .isInstanceOf(StoreException.class).hasMessageContaining("6");
    s.sync();
    StoredState state = reopen(s).load();
    assertThat(state.compactedSlot()).isZero();
    assertThat(state.chosen()).containsExactlyElementsOf(blocks);
  }
}
