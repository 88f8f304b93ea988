package dev.modpaxos.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.protocol.Message.Accept;
import dev.modpaxos.protocol.Message.Accepted;
import dev.modpaxos.protocol.Message.CatchUpRequest;
import dev.modpaxos.protocol.Message.Commit;
import dev.modpaxos.protocol.Message.Prepare;
import dev.modpaxos.protocol.Message.Promise;
import dev.modpaxos.protocol.Message.Reject;
import dev.modpaxos.protocol.Message.RejectReason;
import dev.modpaxos.spi.StoredState;
import java.util.List;
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
    assertThat(ready.messages()).singleElement().isInstanceOf(Promise.class);
    Promise p = (Promise) ready.messages().get(0);
    assertThat(p.localLog()).extracting(Entry::id).containsExactly(new EntryId(3, 1));
    assertThat(p.accepted()).isNull();
  }

  @Test
  void lowerBallotIsRejectedWithTheHigherPromise() {
    Replica r = node3(StoredState.EMPTY);
    r.step(new Prepare(2, 3, new Ballot(5, 2), 0));
    r.ready();
    r.step(new Prepare(1, 3, new Ballot(4, 1), 0));
    Ready ready = r.ready();
    assertThat(ready.promised()).isNull();
    Reject reject = (Reject) ready.messages().get(0);
    assertThat(reject.reason()).isEqualTo(RejectReason.HIGHER_BALLOT);
    assertThat(reject.promised()).isEqualTo(new Ballot(5, 2));
  }

  @Test
  void prepareFromAProposerBehindOnCommitsIsRefused() {
    Replica r = node3(
        new StoredState(
            null, Ballot.ZERO, null, List.of(block(1, 1)), List.of(), java.util.Set.of()));
    r.step(new Prepare(1, 3, new Ballot(9, 1), 0));
    Ready ready = r.ready();
    assertThat(ready.promised()).as("no promise for a decided slot").isNull();
    Reject reject = (Reject) ready.messages().get(0);
    assertThat(reject.reason()).isEqualTo(RejectReason.SLOT_DECIDED);
    assertThat(reject.committedSlot()).isEqualTo(1);
  }

  @Test
  void acceptIsPersistedBeforeAcceptedAndOnlyForTheNextSlot() {
    Replica r = node3(StoredState.EMPTY);
    r.step(new Accept(1, 3, new Ballot(1, 1), 2, block(1, 1)));
    Ready behind = r.ready();
    assertThat(behind.accepted()).isNull();
    assertThat(behind.messages())
        .anySatisfy(m -> assertThat(m).isInstanceOf(CatchUpRequest.class))
        .anySatisfy(
            m ->
                assertThat(m)
                    .isInstanceOfSatisfying(
                        Reject.class,
                        rej -> assertThat(rej.reason()).isEqualTo(RejectReason.ACCEPTOR_BEHIND)));

    r.step(new Accept(1, 3, new Ballot(1, 1), 1, block(1, 1)));
    Ready ok = r.ready();
    assertThat(ok.accepted()).isEqualTo(new Proposal(1, new Ballot(1, 1), block(1, 1)));
    assertThat(ok.promised()).isEqualTo(new Ballot(1, 1));
    assertThat(ok.messages()).singleElement().isEqualTo(new Accepted(3, 1, new Ballot(1, 1), 1));
  }

  @Test
  void promiseCarriesOnlyAnUndecidedAcceptedValue() {
    Replica r = node3(StoredState.EMPTY);
    r.step(new Accept(1, 3, new Ballot(1, 1), 1, block(1, 1)));
    r.step(new Prepare(2, 3, new Ballot(2, 2), 0));
    Ready ready = r.ready();
    Promise p = (Promise) ready.messages().get(1);
    assertThat(p.accepted().slot()).isEqualTo(1);

    r.step(new Commit(1, 3, 1, block(1, 1)));
    r.step(new Prepare(1, 3, new Ballot(3, 1), 1));
    Promise after = (Promise) r.ready().messages().get(0);
    assertThat(after.accepted()).as("slot 1 is decided now").isNull();
    assertThat(after.committedSlot()).isEqualTo(1);
  }

  @Test
  void nodeThatLostAcceptorStateProbesAbstainsAndResumesOnlyPastTheClusterFrontier() {
    Replica r = node3(
        new StoredState(
            null, Ballot.ZERO, null, List.of(), List.of(),
            java.util.Set.of(dev.modpaxos.spi.StateLoss.ACCEPTOR_STATE)));
    r.tick();
    List<Message> probes = r.ready().messages();
    assertThat(probes)
        .hasSize(2)
        .allSatisfy(m -> assertThat(((Prepare) m).ballot()).isEqualTo(Ballot.ZERO));

    r.step(new Prepare(1, 3, new Ballot(4, 1), 0));
    Ready silent = r.ready();
    assertThat(silent.promised()).isNull();
    assertThat(silent.messages()).allSatisfy(m -> assertThat(m).isInstanceOf(CatchUpRequest.class));

    // The probe answers: node 1 promised 7.2 and committed slot 1; node 2 committed nothing.
    r.step(new Reject(1, 3, Ballot.ZERO, 1, RejectReason.HIGHER_BALLOT, new Ballot(7, 2), 1));
    r.step(new Commit(1, 3, 1, block(1, 1)));
    assertThat(r.isVoting()).as("only one of the two other members answered").isFalse();
    r.step(new Reject(2, 3, Ballot.ZERO, 1, RejectReason.HIGHER_BALLOT, new Ballot(7, 2), 0));
    assertThat(r.isVoting()).as("slot 2 may hold a forgotten vote: wait for it").isFalse();

    r.step(new Commit(1, 3, 2, block(1, 2)));
    assertThat(r.isVoting()).isTrue();
    assertThat(r.ready().promised()).as("adopts the highest promise seen").isEqualTo(new Ballot(7, 2));
    r.step(new Prepare(2, 3, new Ballot(5, 2), 2));
    assertThat(((Reject) r.ready().messages().get(0)).reason())
        .isEqualTo(RejectReason.HIGHER_BALLOT);
  }
}
