package dev.modpaxos.storage.chronicle;

import static dev.modpaxos.protocol.ReplicaConfig.VOTES_KEPT;
import static dev.modpaxos.spi.StoreContract.block;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.spi.StateLoss;
import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.StoreException;
import dev.modpaxos.spi.StoredState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proposed additions to {@code StoreContract} for votes per slot ({@code Store#saveAccepted},
 * R18), run here against ChronicleStore until they move into the shared contract. Every test
 * below uses only the SPI and the helpers StoreContract already has ({@code fresh}, {@code
 * reopen}, {@code crashAndReopen}, {@code loseAcceptorState}, {@code block}), so the methods can
 * move as they are; the section "hooks" is what a StoreContract subclass already provides.
 */
class VotesContractTest {
  // ---- hooks (ChronicleStoreTest's, as StoreContract asks for them) -------------------------

  @TempDir Path base;
  private final List<Store> opened = new ArrayList<>();

  private Path dir() {
    return base.resolve("store");
  }

  private Store openFresh() {
    return ChronicleStore.open(dir(), ChronicleStoreConfig.defaults());
  }

  private Store openAgain(Store closed) {
    return ChronicleStore.open(((ChronicleStore) closed).directory(), ChronicleStoreConfig.defaults());
  }

  private void loseAcceptorState(Store closed) {
    try {
      Files.delete(((ChronicleStore) closed).directory().resolve(ChronicleStore.ACCEPTOR_FILE));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Store openAfterCrash(Store open) {
    ((ChronicleStore) open).simulateCrash();
    return ChronicleStore.open(dir(), ChronicleStoreConfig.defaults());
  }

  private Store fresh() {
    return track(openFresh());
  }

  private Store reopen(Store store) {
    store.close();
    return track(openAgain(store));
  }

  private Store crashAndReopen(Store store) {
    return track(openAfterCrash(store));
  }

  private Store track(Store store) {
    opened.add(store);
    return store;
  }

  @AfterEach
  void closeStores() {
    for (Store s : opened) {
      try {
        s.close();
      } catch (StoreException alreadyFailed) {
        // as in StoreContract
      }
    }
  }

  // ---- the proposed tests ------------------------------------------------------------------

  private static Proposal vote(long slot, long round) {
    return new Proposal(slot, new Ballot(round, 1), block(slot, 2));
  }

  private static Map<Long, Proposal> bySlot(StoredState state) {
    return state.accepted().stream()
        .collect(Collectors.toMap(Proposal::slot, Function.identity()));
  }

  /**
   * {@code state} holds the last vote {@code written} for every slot above {@code highest -
   * VOTES_KEPT}, and no vote that is not the last one written for its slot (an older slot's may
   * be dropped or kept).
   */
  private static void assertVotes(StoredState state, TreeMap<Long, Proposal> written) {
    long highest = written.lastKey();
    assertThat(state.lastAccepted()).isEqualTo(written.lastEntry().getValue());
    assertThat(state.accepted())
        .containsAll(written.tailMap(highest - VOTES_KEPT, false).values());
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
    for (long slot = 1; slot <= 3L * VOTES_KEPT + 5; slot++) {
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
    s.saveAccepted(vote(30, 1)); // 30 - VOTES_KEPT = 14: slots up to 14 may go, 15 must stay
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
    s.saveAccepted(vote(14, 3)); // 30 - VOTES_KEPT: may be dropped, must not cost slot 30's vote
    s.saveAccepted(vote(15, 3)); // inside the window: kept
    s.sync();
    StoredState state = reopen(s).load();
    assertThat(bySlot(state)).containsEntry(30L, vote(30, 2)).containsEntry(15L, vote(15, 3));
    assertThat(state.lastAccepted()).isEqualTo(vote(30, 2));
    assertThat(state.accepted()).isSubsetOf(vote(30, 2), vote(14, 3), vote(15, 3));
  }

  @Test
  public void theHighestBallotOfAnyVoteRaisesThePromise() {
    Store s = fresh();
    s.load();
    s.savePromised(new Ballot(3, 1));
    s.saveAccepted(new Proposal(1, new Ballot(9, 2), block(1, 1)));
    s.saveAccepted(new Proposal(2, new Ballot(5, 1), block(2, 1)));
    s.sync();
    StoredState state = reopen(s).load();
    assertThat(state.promised()).isGreaterThanOrEqualTo(new Ballot(9, 2));
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
   * reopen the store returns every vote of a slot above {@code highest - VOTES_KEPT} as last
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
}
