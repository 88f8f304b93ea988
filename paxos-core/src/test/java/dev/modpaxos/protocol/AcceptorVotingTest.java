package dev.modpaxos.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modpaxos.protocol.Message.Accept;
import dev.modpaxos.protocol.Message.Accepted;
import dev.modpaxos.protocol.Message.CatchUpRequest;
import dev.modpaxos.protocol.Message.Prepare;
import dev.modpaxos.protocol.Message.Promise;
import dev.modpaxos.protocol.Message.Reject;
import dev.modpaxos.protocol.Message.RejectReason;
import dev.modpaxos.spi.StoreIdentity;
import dev.modpaxos.spi.StoredState;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** R5, R8, R10, R16 at one acceptor, driven by single messages. */
class AcceptorVotingTest {
  private static final List<Integer> MEMBERS = List.of(1, 2, 3);
  private static final Block B1 = new Block(List.of(new Entry(1, 1, new byte[] {1})));

  private static ReplicaConfig config() {
    return ReplicaConfig.builder(3, MEMBERS).trigger(RoundTrigger.ON_DEMAND).build();
  }

  private static Replica voter() {
    return new Replica(config(), StoredState.EMPTY);
  }

  private static Replica learner() {
    return new Replica(config(), StoredState.EMPTY, Boot.existing(5));
  }

  @Test
  void prepareAtTheBallotAlreadyPromisedIsPromisedAgain() {
    Replica r = voter();
    r.step(new Prepare(1, 3, new Ballot(2, 1), 0));
    r.ready();
    r.step(new Prepare(1, 3, new Ballot(2, 1), 0));
    Ready again = r.ready();
    assertThat(again.promised()).as("unchanged, nothing to persist").isNull();
    assertThat(again.allMessages()).singleElement().isInstanceOf(Promise.class);
  }

  @Test
  void acceptAtTheBallotPromisedIsAcceptedAndReadBack() {
    Replica r = voter();
    r.step(new Prepare(1, 3, new Ballot(2, 1), 0));
    r.step(new Accept(1, 3, new Ballot(2, 1), 1, B1));
    Ready ready = r.ready();
    assertThat(ready.allMessages()).last().isEqualTo(new Accepted(3, 1, new Ballot(2, 1), 1));
    assertThat(r.accepted()).isEqualTo(new Proposal(1, new Ballot(2, 1), B1));
    assertThat(r.leaderHint()).isEqualTo(1);
  }

  @Test
  void acceptForASlotTheAcceptorCommittedIsRefusedAsDecided() {
    Replica r =
        new Replica(config(), new StoredState(StoreIdentity.founding("modpaxos", 3), Ballot.ZERO,
            List.of(), List.of(B1), List.of(), Set.of()));
    r.step(new Accept(1, 3, new Ballot(9, 1), 1, B1));
    Reject reject = (Reject) r.ready().allMessages().get(0);
    assertThat(reject.reason()).isEqualTo(RejectReason.SLOT_DECIDED);
    assertThat(reject.committedSlot()).isEqualTo(1);
    assertThat(r.accepted()).isNull();
  }

  @Test
  void learnerAsksTheSenderOfAPrepareOrAcceptAheadOfItForBlocks() {
    Replica r = learner();
    r.ready();
    r.step(new Prepare(1, 3, new Ballot(9, 1), 1));
    assertThat(r.ready().allMessages()).containsExactly(new CatchUpRequest(3, 1, 1));
    r.step(new Accept(2, 3, new Ballot(9, 2), 2, B1));
    assertThat(r.ready().allMessages()).containsExactly(new CatchUpRequest(3, 2, 1));
  }

  @Test
  void acceptorWhosePromiseIsBelowItsAcceptedBallotFailsTheInvariantCheck() {
    Acceptor broken =
        new Acceptor(voter(), Rules.PAXOS, Ballot.ZERO,
            List.of(new Proposal(1, new Ballot(2, 1), B1)));
    assertThatThrownBy(broken::checkInvariants)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("promised 0.0 below accepted ballot 2.1");
  }

  @Test
  void learnerStaysSilentOnAPrepareOrAcceptForItsNextSlot() {
    Replica r = learner();
    r.ready();
    r.step(new Prepare(1, 3, new Ballot(9, 1), 0));
    r.step(new Accept(1, 3, new Ballot(9, 1), 1, B1));
    Ready ready = r.ready();
    assertThat(ready.allMessages()).isEmpty();
    assertThat(ready.promised()).isNull();
    assertThat(r.accepted()).isNull();
  }
}
