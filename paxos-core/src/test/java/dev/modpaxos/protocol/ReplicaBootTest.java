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
}
