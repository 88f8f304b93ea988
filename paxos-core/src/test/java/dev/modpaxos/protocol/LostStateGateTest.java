package dev.modpaxos.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.protocol.Message.Commit;
import dev.modpaxos.protocol.Message.Prepare;
import dev.modpaxos.protocol.Message.Promise;
import dev.modpaxos.protocol.Message.Reject;
import dev.modpaxos.protocol.Message.RejectReason;
import dev.modpaxos.spi.StateLoss;
import dev.modpaxos.spi.StoreIdentity;
import dev.modpaxos.spi.StoredState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The hook through which test-only variants answer lost state (Rules.LostStateGate): the replica
 * keeps its old identity and reports ticks, abstentions, probe answers and commits to the gate.
 */
class LostStateGateTest {
  private static final List<Integer> MEMBERS = List.of(1, 2, 3);
  private static final Block B1 = new Block(List.of(new Entry(1, 1, new byte[] {1})));

  /** Records every call; opens only when told. */
  private static final class RecordingGate implements Rules.LostStateGate {
    final List<String> calls = new ArrayList<>();
    boolean open;

    @Override
    public boolean open() {
      return open;
    }

    @Override
    public void onTick(long now) {
      calls.add("tick " + now);
    }

    @Override
    public void onAbstained(Ballot ballot, long slot, int from) {
      calls.add("abstained " + ballot + " slot " + slot + " from " + from);
    }

    @Override
    public void onProbeAnswer(int from, Ballot promised, long committedSlot) {
      calls.add("probe answer from " + from + " promised " + promised + " committed "
          + committedSlot);
    }

    @Override
    public void onCommitted(long committedSlot) {
      calls.add("committed " + committedSlot);
    }
  }

  private final RecordingGate gate = new RecordingGate();

  private Replica boot(StoredState state) {
    Rules gated =
        new Rules() {
          @Override
          LostStateGate gateAfterLoss(Replica replica) {
            return gate;
          }
        };
    ReplicaConfig config =
        ReplicaConfig.builder(3, MEMBERS).trigger(RoundTrigger.ON_DEMAND).build();
    return new Replica(config, state, Boot.existing(42), gated);
  }

  private static StoredState lost(StoreIdentity identity) {
    return new StoredState(identity, new Ballot(4, 1), List.of(), List.of(), List.of(),
        Set.of(StateLoss.ACCEPTOR_STATE));
  }

  @Test
  void gatedReplicaKeepsItsOldIdentityAndAbstainsUntilTheGateOpens() {
    StoreIdentity old = new StoreIdentity(ReplicaConfig.CLUSTER_ID_DEFAULT, 3, 1, 7);
    Replica r = boot(lost(old));
    assertThat(r.ready().identity()).as("no new incarnation").isNull();
    assertThat(r.identity()).isEqualTo(old);
    assertThat(r.promised()).as("keeps what survived").isEqualTo(new Ballot(4, 1));
    assertThat(r.isVoting()).isFalse();
    assertThat(r.notVotingReason()).contains("abstains after lost state");
    gate.open = true;
    assertThat(r.isVoting()).isTrue();
    assertThat(r.notVotingReason()).isNull();
  }

  @Test
  void storeWithDataButNoIdentityIsGatedAsTheFoundingIdentity() {
    Replica r = boot(new StoredState(null, new Ballot(4, 1), List.of(), List.of(), List.of(), Set.of()));
    assertThat(r.identity()).isEqualTo(StoreIdentity.founding(ReplicaConfig.CLUSTER_ID_DEFAULT, 3));
    assertThat(r.notVotingReason()).contains("abstains");
  }

  @Test
  void intactStoreIsNeverGated() {
    Replica r = boot(new StoredState(StoreIdentity.founding(ReplicaConfig.CLUSTER_ID_DEFAULT, 3),
        Ballot.ZERO, List.of(), List.of(), List.of(), Set.of()));
    assertThat(r.isVoting()).isTrue();
    r.tick();
    assertThat(gate.calls).isEmpty();
  }

  @Test
  void gateSeesTicksAbstentionsProbeAnswersAndCommits() {
    Replica r = boot(lost(StoreIdentity.founding(ReplicaConfig.CLUSTER_ID_DEFAULT, 3)));
    r.tick();
    r.step(new Prepare(1, 3, new Ballot(6, 1), 0));
    r.step(new Promise(1, 3, Ballot.ZERO, 4, null, List.of()));
    r.step(new Reject(2, 3, Ballot.ZERO, 1, RejectReason.HIGHER_BALLOT, new Ballot(3, 2), 5));
    r.step(new Commit(1, 3, 1, B1));
    assertThat(gate.calls).last().isEqualTo("committed 1");
    r.step(new Commit(1, 3, 1, B1));
    assertThat(gate.calls)
        .containsExactly(
            "tick 1",
            "abstained 6.1 slot 1 from 1",
            "probe answer from 1 promised 0.0 committed 4",
            "probe answer from 2 promised 3.2 committed 5",
            "committed 1");
  }

  @Test
  void roundInProgressIsAbandonedWhenTheGateCloses() {
    Replica r = boot(lost(StoreIdentity.founding(ReplicaConfig.CLUSTER_ID_DEFAULT, 3)));
    gate.open = true;
    r.runRound();
    assertThat(r.proposer().phase()).isEqualTo(Proposer.Phase.PREPARING);
    r.ready();
    gate.open = false;
    r.tick();
    assertThat(r.ready().events()).extracting(RoundEvent::kind)
        .containsExactly(RoundEvent.Kind.LOST);
  }

  @Test
  void gatedReplicaRunsNoLearnerDutiesOfItsOwn() {
    Replica r = boot(lost(StoreIdentity.founding(ReplicaConfig.CLUSTER_ID_DEFAULT, 3)));
    r.ready();
    for (int i = 0; i < 30; i++) {
      r.tick();
    }
    assertThat(r.ready().allMessages()).as("the gate probes; the replica adds nothing").isEmpty();
  }
}
