package dev.modpaxos.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modpaxos.spi.StoredState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** R21: membership changes through consensus, on replicas driven by hand. */
class ReconfigTest {
  private static final int L = ReplicaConfig.PIPELINE_SLOTS_LIMIT;

  private static ManualCluster cluster() {
    return new ManualCluster(3, RoundTrigger.AUTO, b -> b);
  }

  private static Replica joiner(int id) {
    ReplicaConfig c = ReplicaConfig.builder(id, List.of(1, 2, 3)).trigger(RoundTrigger.AUTO)
        .seed(id).roundTimeoutTicks(10).backoffTicksMax(2).promiseWaitTicks(0)
        .forwardIntervalTicks(5).build();
    return new Replica(c, StoredState.EMPTY, Boot.existing(1000 + id));
  }

  /** Submits on node 1 and runs until every node committed {@code slots} more slots. */
  private static void commitSlots(ManualCluster c, int slots) {
    for (int i = 0; i < slots; i++) {
      long before = c.node(1).committedSlot();
      c.submit(1, i);
      for (int t = 0; t < 200 && c.node(1).committedSlot() == before; t++) {
        c.run(1);
      }
      assertThat(c.node(1).committedSlot()).as("slot %d chosen", before + 1).isGreaterThan(before);
    }
    c.run(30);
  }

  @Test
  void aJoinerIsAddedAsALearnerJoinsCatchesUpIsPromotedAndVotesOnlyLSlotsLater() {
    ManualCluster c = cluster();
    commitSlots(c, 2);
    c.put(joiner(4));
    assertThat(c.node(4).notVotingReason()).contains("is joining");

    c.node(1).requestReconfig(ReconfigOp.ADD_LEARNER, 4, 7);
    c.flush(1);
    c.run(200);
    for (int id = 1; id <= 4; id++) {
      Configuration conf = c.node(id).configuration();
      assertThat(conf.learners()).as("node %d", id).containsKey(4);
      assertThat(conf.joining()).as("node 4 joined by itself (R17)").isEmpty();
    }
    assertThat(c.node(4).generation()).as("joined one generation above the placeholder")
        .isEqualTo(c.node(1).configuration().generationOf(4));
    assertThat(c.node(4).isVoting()).isFalse();
    assertThat(c.node(4).notVotingReason()).contains("is a learner");
    assertThat(c.node(4).committedSlot()).isEqualTo(c.node(1).committedSlot());

    c.node(1).requestReconfig(ReconfigOp.PROMOTE, 4, 8);
    c.flush(1);
    c.run(100);
    assertThat(c.node(1).configuration().voters()).containsKeys(1, 2, 3, 4);
    assertThat(c.node(4).isVoting()).isTrue();
    assertThat(c.node(4).votesCountNow()).as("R21: not before L slots").isFalse();
    assertThat(c.node(1).configuration().inForceEpoch())
        .isLessThan(c.node(1).configuration().epoch());
    commitSlots(c, L);
    assertThat(c.node(4).votesCountNow()).isTrue();
    assertThat(c.node(1).configuration().inForceEpoch())
        .isEqualTo(c.node(1).configuration().epoch());
  }

  @Test
  void aRemovedNodeStopsVotingAndSaysWhyAndTheOthersGoOn() {
    ManualCluster c = cluster();
    commitSlots(c, 1);
    c.node(1).requestReconfig(ReconfigOp.REMOVE, 3, 9);
    c.flush(1);
    c.run(100);
    assertThat(c.node(1).configuration().voters()).containsOnlyKeys(1, 2);
    assertThat(c.node(1).configuration().removed()).containsEntry(3, 1);
    assertThat(c.node(3).isVoting()).as("R21: it votes until its removal is in force").isTrue();
    long before = c.node(1).committedSlot();
    commitSlots(c, L + 2);
    assertThat(c.node(2).committedSlot()).isEqualTo(before + L + 2);
    assertThat(c.node(3).isVoting()).isFalse();
    assertThat(c.node(3).notVotingReason()).contains("was removed");
    assertThat(c.node(3).isLeader()).isFalse();
  }

  @Test
  void leadershipMovesToTheNodeAsked() {
    ManualCluster c = cluster();
    commitSlots(c, 1);
    assertThat(c.node(1).isLeader()).isTrue();
    c.node(1).transferLeadership(2);
    c.flush(1);
    c.run(60);
    assertThat(c.node(2).isLeader()).isTrue();
    assertThat(c.node(1).isLeader()).isFalse();
    assertThat(c.node(1).leaderHint()).isEqualTo(2);
  }

  @Test
  void changesThatDoNotApplyAreRefusedWithTheReasonAndChangeNothing() {
    ManualCluster c = cluster();
    commitSlots(c, 1);
    Replica r = c.node(1);
    assertThatThrownBy(() -> r.requestReconfig(ReconfigOp.ADD_LEARNER, 2, 1))
        .isInstanceOf(IllegalStateException.class).hasMessage("node 2 is already a member");
    assertThatThrownBy(() -> r.requestReconfig(ReconfigOp.PROMOTE, 2, 1))
        .isInstanceOf(IllegalStateException.class).hasMessage("node 2 is not a learner");
    assertThatThrownBy(() -> r.requestReconfig(ReconfigOp.REMOVE, 9, 1))
        .isInstanceOf(IllegalStateException.class).hasMessage("node 9 is not a member");
    assertThatThrownBy(() -> r.requestReconfig(null, 4, 1))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("op");
    assertThatThrownBy(() -> r.transferLeadership(7))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("not a voter");
    r.setUnreachable(java.util.Set.of(3));
    assertThatThrownBy(() -> r.requestReconfig(ReconfigOp.REMOVE, 2, 1))
        .as("1 and 3 would need both, and 3 is unreachable")
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("unsafe");
    r.setUnreachable(java.util.Set.of());
    r.requestReconfig(ReconfigOp.ADD_LEARNER, 4, 1);
    assertThatThrownBy(() -> r.requestReconfig(ReconfigOp.ADD_LEARNER, 5, 2))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("still pending");
    assertThat(c.node(2).configuration().epoch()).isZero();
  }

  @Test
  void aConfigurationGovernsQuorumsFromLSlotsAfterTheSlotThatChoseIt() {
    Membership founding = new Membership(List.of(1, 2, 3));
    Configs configs = new Configs(founding, L);
    founding.apply(new Reconfig(ReconfigOp.ADD_LEARNER, 4, 1, 1));
    founding.apply(new Reconfig(ReconfigOp.PROMOTE, 4, 1, 2)); // still unbound: refused
    assertThat(founding.isVoter(4)).isFalse();
    founding.readmit(4, 1);
    founding.apply(new Reconfig(ReconfigOp.PROMOTE, 4, 2, 3));
    configs.changed(5);
    assertThat(configs.governing(5 + L - 1).isVoter(4)).isFalse();
    assertThat(configs.governing(5 + L).isVoter(4)).isTrue();
    assertThat(configs.governing(6, 6 + L)).hasSize(2);
    assertThat(Configs.isQuorum(configs.governing(6, 6 + L), Map.of(1, 1, 2, 1)))
        .as("2 of 3 and 2 of 4 are not both majorities").isFalse();
    assertThat(Configs.isQuorum(configs.governing(6, 6 + L), Map.of(1, 1, 2, 1, 4, 2))).isTrue();
    assertThat(Configs.isQuorum(configs.governing(6, 6 + L), Map.of(1, 1, 2, 1, 4, 1)))
        .as("R17: generation 1 of node 4 never counts").isFalse();
  }
}
