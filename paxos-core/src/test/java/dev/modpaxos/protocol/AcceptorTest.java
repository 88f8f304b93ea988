package dev.modpaxos.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modpaxos.protocol.Message.Accept;
import dev.modpaxos.protocol.Message.Accepted;
import dev.modpaxos.protocol.Message.CatchUpRequest;
import dev.modpaxos.protocol.Message.Commit;
import dev.modpaxos.protocol.Message.Prepare;
import dev.modpaxos.protocol.Message.Promise;
import dev.modpaxos.protocol.Message.Reject;
import dev.modpaxos.protocol.Message.RejectReason;
import dev.modpaxos.protocol.Message.Forward;
import dev.modpaxos.spi.StateLoss;
import dev.modpaxos.spi.StoreIdentity;
import dev.modpaxos.spi.StoredState;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AcceptorTest {
  private static final List<Integer> MEMBERS = List.of(1, 2, 3);

  private static Replica node3(StoredState state) {
    return new Replica(
        ReplicaConfig.builder(3, MEMBERS).trigger(RoundTrigger.ON_DEMAND).build(), state);
  }

  private static Block block(int origin, long seq) {
    return new Block(List.of(new Entry(origin, seq, new byte[] {(byte) seq})));
  }

  @Test
  void promiseIsPersistedInTheSameBatchAsTheReply() {
    Replica r = node3(StoredState.EMPTY);
    r.submit(new byte[] {7});
    r.ready();
    r.step(new Prepare(1, 3, new Ballot(1, 1), 0));
    Ready ready = r.ready();
    assertThat(ready.promised()).isEqualTo(new Ballot(1, 1));
    assertThat(ready.allMessages()).singleElement().isInstanceOf(Promise.class);
    Promise p = (Promise) ready.allMessages().get(0);
    assertThat(p.localLog()).extracting(Entry::id).containsExactly(new EntryId(3, 1));
    assertThat(p.accepted()).isEmpty();
  }

  @Test
  void lowerBallotIsRejectedWithTheHigherPromise() {
    Replica r = node3(StoredState.EMPTY);
    r.step(new Prepare(2, 3, new Ballot(5, 2), 0));
    r.ready();
    r.step(new Prepare(1, 3, new Ballot(4, 1), 0));
    Ready ready = r.ready();
    assertThat(ready.promised()).isNull();
    Reject reject = (Reject) ready.allMessages().get(0);
    assertThat(reject.reason()).isEqualTo(RejectReason.HIGHER_BALLOT);
    assertThat(reject.promised()).isEqualTo(new Ballot(5, 2));
  }

  @Test
  void prepareFromAProposerBehindOnCommitsIsRefused() {
    Replica r = node3(intact(List.of(block(1, 1))));
    r.step(new Prepare(1, 3, new Ballot(9, 1), 0));
    Ready ready = r.ready();
    assertThat(ready.promised()).as("no promise for a decided slot").isNull();
    Reject reject = (Reject) ready.allMessages().get(0);
    assertThat(reject.reason()).isEqualTo(RejectReason.SLOT_DECIDED);
    assertThat(reject.committedSlot()).isEqualTo(1);
  }

  @Test
  void acceptIsPersistedBeforeAcceptedAndOnlyWithinThePipelineWindow() {
    Replica r = node3(StoredState.EMPTY);
    long beyond = ReplicaConfig.PIPELINE_SLOTS_LIMIT + 1;
    r.step(new Accept(1, 3, new Ballot(1, 1), beyond, block(1, 1)));
    Ready behind = r.ready();
    assertThat(behind.accepted()).isEmpty();
    assertThat(behind.allMessages())
        .anySatisfy(m -> assertThat(m).isInstanceOf(CatchUpRequest.class))
        .anySatisfy(
            m ->
                assertThat(m)
                    .isInstanceOfSatisfying(
                        Reject.class,
                        rej -> assertThat(rej.reason()).isEqualTo(RejectReason.ACCEPTOR_BEHIND)));

    r.step(new Accept(1, 3, new Ballot(1, 1), beyond - 1, block(1, 2))); // R18: the last slot in
    r.step(new Accept(1, 3, new Ballot(1, 1), 1, block(1, 1)));
    Ready ok = r.ready();
    assertThat(ok.accepted()).containsExactly(
        new Proposal(beyond - 1, new Ballot(1, 1), block(1, 2)),
        new Proposal(1, new Ballot(1, 1), block(1, 1)));
    assertThat(ok.promised()).isEqualTo(new Ballot(1, 1));
    assertThat(ok.early()).as("votes wait for the sync").isEmpty();
    assertThat(ok.messages()).containsExactly(new Accepted(3, 1, new Ballot(1, 1), beyond - 1),
        new Accepted(3, 1, new Ballot(1, 1), 1));
  }

  @Test
  void promiseCarriesOnlyAnUndecidedAcceptedValue() {
    Replica r = node3(StoredState.EMPTY);
    r.step(new Accept(1, 3, new Ballot(1, 1), 1, block(1, 1)));
    r.step(new Prepare(2, 3, new Ballot(2, 2), 0));
    Ready ready = r.ready();
    Promise p = (Promise) ready.allMessages().get(1);
    assertThat(p.accepted()).extracting(Proposal::slot).containsExactly(1L);

    r.step(new Commit(1, 3, 1, block(1, 1)));
    r.step(new Prepare(1, 3, new Ballot(3, 1), 1));
    Promise after = (Promise) r.ready().allMessages().get(0);
    assertThat(after.accepted()).as("slot 1 is decided now").isEmpty();
    assertThat(after.committedSlot()).isEqualTo(1);
  }

  @Test
  void nodeThatLostItsStateIsALearnerThatNeverVotesUntilReadmitted() {
    StoredState lost =
        new StoredState(
            StoreIdentity.founding("modpaxos", 3), new Ballot(4, 1), List.of(), List.of(block(1, 1)),
            List.of(), Set.of(StateLoss.ACCEPTOR_STATE));
    Replica r = new Replica(config3(), lost, Boot.existing(42));
    Ready boot = r.ready();
    assertThat(boot.identity().isPending()).as("a new incarnation, synced first").isTrue();
    assertThat(boot.identity().nonce()).isEqualTo(42);
    assertThat(r.isVoting()).isFalse();
    assertThat(r.notVotingReason()).contains("lost [ACCEPTOR_STATE]").contains("re-admission");
    assertThat(r.promised()).as("forgets its predecessor's promise").isEqualTo(Ballot.ZERO);
    assertThatThrownBy(() -> r.submit(new byte[] {1}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("accepts no submits");

    r.step(new Prepare(1, 3, new Ballot(9, 1), 1));
    r.step(new Accept(1, 3, new Ballot(9, 1), 2, block(1, 2)));
    Ready silent = r.ready();
    assertThat(silent.promised()).isNull();
    assertThat(silent.accepted()).isEmpty();
    assertThat(silent.allMessages()).allSatisfy(m -> assertThat(m).isInstanceOf(CatchUpRequest.class));

    for (int i = 0; i < 40; i++) {
      r.tick();
    }
    List<Message> duties = r.ready().allMessages();
    assertThat(duties.stream().filter(m -> m instanceof Forward).map(Message::to).toList())
        .containsExactlyInAnyOrder(1, 2);
    assertThat(duties).filteredOn(m -> m instanceof Forward)
        .allSatisfy(m -> assertThat(Readmission.of(((Forward) m).entries().get(0)))
            .isEqualTo(new Readmission(3, 42, 1)));

    Block readmit = new Block(List.of(new Readmission(3, 42, 1).toEntry()));
    r.step(new Commit(1, 3, 2, readmit));
    Ready adopted = r.ready();
    assertThat(adopted.identity().generation()).isEqualTo(2);
    assertThat(r.isVoting()).isTrue();
    r.step(new Prepare(1, 3, new Ballot(10, 1), 2));
    Promise p = (Promise) r.ready().allMessages().get(0);
    assertThat(p.generation()).isEqualTo(2);
    EntryId id = r.submit(new byte[] {5});
    assertThat(id.generation()).isEqualTo(2);
    assertThat(id.seq()).isEqualTo(EntryId.firstSeq(2));
  }

  @Test
  void emptyStoreOfAnExistingMemberIsLostStateButBootstrapsANewCluster() {
    Replica wiped = new Replica(config3(), StoredState.EMPTY, Boot.existing(7));
    assertThat(wiped.isVoting()).isFalse();
    assertThat(wiped.notVotingReason()).contains("store is empty");
    Replica founding = new Replica(config3(), StoredState.EMPTY, Boot.newCluster(7));
    assertThat(founding.isVoting()).isTrue();
    assertThat(founding.ready().identity()).isEqualTo(StoreIdentity.founding("modpaxos", 3));
  }

  @Test
  void storeOfAnotherMemberOrClusterIsRefused() {
    StoredState other =
        new StoredState(StoreIdentity.founding("modpaxos", 2), Ballot.ZERO, List.of(), List.of(),
            List.of(), Set.of());
    assertThatThrownBy(() -> new Replica(config3(), other, Boot.existing(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("belongs to member 2");
    StoredState foreign =
        new StoredState(StoreIdentity.founding("bank-a", 3), Ballot.ZERO, List.of(), List.of(),
            List.of(), Set.of());
    assertThatThrownBy(() -> new Replica(config3(), foreign, Boot.existing(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cluster bank-a");
  }

  @Test
  void promiseOrVoteOfAnOlderGenerationNeverCounts() {
    Replica r = new Replica(config3(), StoredState.EMPTY, Boot.newCluster(1));
    r.submit(new byte[] {1});
    r.runRound();
    r.ready();
    Ballot b = r.promised();
    r.step(new Promise(1, 3, b, 0, List.of(), List.of(), 0));
    r.step(new Promise(2, 3, b, 0, List.of(), List.of(), 2));
    assertThat(r.ready().allMessages()).as("no ACCEPT: neither promise is of a current generation")
        .noneMatch(m -> m instanceof Accept);
    r.tick();
    r.tick();
    r.tick();
    assertThat(r.ready().allMessages()).as("still no majority").noneMatch(m -> m instanceof Accept);
    r.step(new Promise(2, 3, b, 0, List.of(), List.of(), 1));
    r.tick();
    r.tick();
    assertThat(r.ready().allMessages()).anyMatch(m -> m instanceof Accept);
  }

  private static ReplicaConfig config3() {
    return ReplicaConfig.builder(3, MEMBERS).trigger(RoundTrigger.ON_DEMAND).build();
  }

  static StoredState intact(List<Block> chosen) {
    return new StoredState(
        StoreIdentity.founding("modpaxos", 3), Ballot.ZERO, List.of(), chosen, List.of(), Set.of());
  }
}
