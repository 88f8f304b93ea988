package dev.modpaxos.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modpaxos.protocol.Message.Commit;
import dev.modpaxos.spi.StateLoss;
import dev.modpaxos.spi.StoreIdentity;
import dev.modpaxos.spi.StoredState;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** R16, R17: how a replica starts from what its store read back, and why it may not vote. */
class ReplicaBootTest {
  private static final List<Integer> MEMBERS = List.of(1, 2, 3);
  private static final String CLUSTER = ReplicaConfig.CLUSTER_ID_DEFAULT;

  private static ReplicaConfig config() {
    return ReplicaConfig.builder(3, MEMBERS).trigger(RoundTrigger.ON_DEMAND).build();
  }

  private static StoredState state(StoreIdentity id, List<Block> chosen, List<Entry> local,
      Set<StateLoss> losses) {
    return new StoredState(id, Ballot.ZERO, List.of(), chosen, local, losses);
  }

  private static Block readmit(int member, long nonce, int replaces) {
    return new Block(List.of(new Readmission(member, nonce, replaces).toEntry()));
  }

  @Test
  void intactStoreResumesVotingWithItsPromiseRaisedToItsAcceptedBallot() {
    Proposal acc = new Proposal(1, new Ballot(5, 2), Block.EMPTY);
    Replica r =
        new Replica(config(), new StoredState(StoreIdentity.founding(CLUSTER, 3), new Ballot(4, 1),
            List.of(acc), List.of(), List.of(), Set.of()), Boot.existing(1));
    assertThat(r.ready().identity()).as("nothing to rewrite").isNull();
    assertThat(r.isVoting()).isTrue();
    assertThat(r.notVotingReason()).isNull();
    assertThat(r.promised()).isEqualTo(new Ballot(5, 2));
    assertThat(r.accepted()).isEqualTo(acc);
    assertThat(r.isLeader()).isFalse();
    assertThat(r.nodeId()).isEqualTo(3);
    assertThat(r.generation()).isEqualTo(1);
    assertThat(r.generationOf(2)).isEqualTo(1);
    assertThat(r.generationOf(4)).isZero();
  }

  @Test
  void incarnationStillAwaitingReadmissionKeepsItsNonceAcrossARestart() {
    StoreIdentity pending = new StoreIdentity(CLUSTER, 3, StoreIdentity.PENDING, 5);
    Replica r = new Replica(config(), state(pending, List.of(), List.of(), Set.of()),
        Boot.existing(77));
    assertThat(r.ready().identity()).isNull();
    assertThat(r.identity()).isEqualTo(pending);
    assertThat(r.isVoting()).isFalse();
    assertThat(r.notVotingReason()).contains("before an earlier restart").contains("re-admission");
  }

  @Test
  void pendingIncarnationWhoseStoreReportsANewLossStartsAnotherIncarnation() {
    StoreIdentity pending = new StoreIdentity(CLUSTER, 3, StoreIdentity.PENDING, 5);
    Replica r = new Replica(config(),
        state(pending, List.of(), List.of(), Set.of(StateLoss.LOCAL_ENTRIES)), Boot.existing(77));
    assertThat(r.ready().identity().nonce()).isEqualTo(77);
    assertThat(r.notVotingReason()).contains("reported lost [LOCAL_ENTRIES]");
  }

  @Test
  void storeWithDataButNoIdentityIsLostState() {
    Replica r = new Replica(config(), new StoredState(null, new Ballot(3, 1), List.of(), List.of(),
        List.of(), Set.of()), Boot.existing(8));
    assertThat(r.isVoting()).isFalse();
    assertThat(r.notVotingReason()).contains("records no identity");
    assertThat(r.promised()).isEqualTo(Ballot.ZERO);
  }

  @Test
  void nonceOfATestReplicaDependsOnItsSeed() {
    StoredState lost = state(StoreIdentity.founding(CLUSTER, 3), List.of(), List.of(),
        Set.of(StateLoss.ACCEPTOR_STATE));
    long one = new Replica(config().toBuilder().seed(1).build(), lost).identity().nonce();
    long two = new Replica(config().toBuilder().seed(2).build(), lost).identity().nonce();
    assertThat(one).isNotEqualTo(two);
  }

  @Test
  void storeOfAGenerationAlreadyReplacedIsStaleAndNeverVotes() {
    Replica r = new Replica(config(),
        state(StoreIdentity.founding(CLUSTER, 3), List.of(readmit(3, 99, 1)), List.of(), Set.of()),
        Boot.existing(1));
    assertThat(r.generationOf(3)).isEqualTo(2);
    assertThat(r.isVoting()).isFalse();
    assertThat(r.notVotingReason()).contains("generation 1 was replaced by generation 2");
    assertThatThrownBy(() -> r.submit(new byte[] {1})).isInstanceOf(IllegalStateException.class);
    long ticket = r.runRound();
    assertThat(r.ready().roundsFailed()).containsExactly(ticket);
  }

  @Test
  void admittedIdentityWhoseAdmittingBlockWasLostWaitsForItThenRelogsItsEntries() {
    StoreIdentity g2 = new StoreIdentity(CLUSTER, 3, 2, 9);
    Entry old = new Entry(3, 1, new byte[] {1});
    Replica r = new Replica(config(), state(g2, List.of(), List.of(old), Set.of()),
        Boot.existing(1));
    r.ready();
    assertThat(r.isVoting()).isFalse();
    assertThat(r.notVotingReason()).contains("waits to learn the slot that admitted it");

    r.step(new Commit(1, 3, 1, readmit(3, 9, 1)));
    Ready ready = r.ready();
    assertThat(r.isVoting()).isTrue();
    assertThat(ready.identity()).as("the identity was already durable").isNull();
    Entry again = new Entry(3, EntryId.firstSeq(2), new byte[] {1});
    assertThat(r.localLog()).containsExactly(again);
    assertThat(ready.appended()).containsExactly(again);
  }

  @Test
  void readmissionOfAnotherIncarnationOfThisMemberLeavesThisOneALearner() {
    StoreIdentity pending = new StoreIdentity(CLUSTER, 3, StoreIdentity.PENDING, 5);
    Replica r = new Replica(config(), state(pending, List.of(), List.of(), Set.of()),
        Boot.existing(5));
    r.step(new Commit(1, 3, 1, readmit(3, 6, 1)));
    Ready ready = r.ready();
    assertThat(ready.identity()).isNull();
    assertThat(r.isVoting()).isFalse();
    assertThat(r.generationOf(3)).isEqualTo(2);
  }

  @Test
  void readmissionOfThisIncarnationAdoptsTheNewGeneration() {
    StoreIdentity pending = new StoreIdentity(CLUSTER, 3, StoreIdentity.PENDING, 5);
    Replica r = new Replica(config(), state(pending, List.of(), List.of(), Set.of()),
        Boot.existing(5));
    r.step(new Commit(1, 3, 1, readmit(3, 5, 1)));
    assertThat(r.ready().identity()).isEqualTo(new StoreIdentity(CLUSTER, 3, 2, 5));
    assertThat(r.isVoting()).isTrue();
    assertThat(r.promised()).isEqualTo(Ballot.ZERO);
  }

  @Test
  void blocksSetAsideAboveADamagedSlotApplyOnceCatchUpFillsTheGapAndCountForNextSeq() {
    // The store lost slot 2 only: slots 3 and 4 survived above it (ChronicleStore sets aside
    // only the damaged record). Slot 4 holds an entry of node 3 itself, seq 9.
    Block b1 = new Block(List.of(new Entry(1, 1, new byte[] {1})));
    Block b2 = new Block(List.of(new Entry(2, 1, new byte[] {2})));
    Block b3 = new Block(List.of(new Entry(1, 2, new byte[] {3})));
    Block b4 = new Block(List.of(new Entry(3, 9, new byte[] {4})));
    StoredState s = new StoredState(StoreIdentity.founding(CLUSTER, 3), Ballot.ZERO, List.of(),
        List.of(b1), List.of(), Set.of(StateLoss.CHOSEN_BLOCKS), 0, null,
        List.of(new SlotBlock(3, b3), new SlotBlock(4, b4)));
    Replica r = new Replica(config(), s, Boot.existing(5));
    r.ready();
    assertThat(r.committedSlot()).isEqualTo(1);
    r.step(new Message.CatchUp(1, 3, 2, List.of(b2)));
    assertThat(r.committedSlot()).as("the gap, then both blocks set aside").isEqualTo(4);
    assertThat(r.chosen(4)).isEqualTo(b4);
    assertThat(r.ready().chosen()).extracting(SlotBlock::slot).containsExactly(2L, 3L, 4L);
  }

  @Test
  void setAsideBlocksMustLieAboveTheGap() {
    Block b = new Block(List.of(new Entry(1, 1, new byte[] {1})));
    assertThatThrownBy(() -> new StoredState(null, Ballot.ZERO, List.of(), List.of(b), List.of(),
        Set.of(), 0, null, List.of(new SlotBlock(2, b))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not above the gap");
  }
}
