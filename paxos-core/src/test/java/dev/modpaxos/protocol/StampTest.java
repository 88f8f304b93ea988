package dev.modpaxos.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modpaxos.protocol.Message.CatchUpRequest;
import dev.modpaxos.protocol.Message.Commit;
import dev.modpaxos.protocol.Message.Prepare;
import dev.modpaxos.protocol.Message.Promise;
import dev.modpaxos.spi.StoredState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** R2: every message carries its sender's cluster fingerprint and epoch; foreign ones are dropped. */
class StampTest {
  private static final List<Integer> MEMBERS = List.of(1, 2, 3);
  private static final ReplicaConfig CONFIG =
      ReplicaConfig.builder(3, MEMBERS).trigger(RoundTrigger.ON_DEMAND).roundTimeoutTicks(10)
          .build();
  private static final long OURS = Stamp.clusterFingerprint(CONFIG);

  private static Block block(int origin, long seq) {
    return new Block(List.of(new Entry(origin, seq, new byte[] {(byte) seq})));
  }

  @Test
  void theFingerprintNamesTheClusterIdAndTheFoundingMembersInAnyOrder() {
    long abc = Stamp.clusterFingerprint("bank", List.of(1, 2, 3));
    assertThat(Stamp.clusterFingerprint("bank", List.of(3, 1, 2))).isEqualTo(abc);
    assertThat(Stamp.clusterFingerprint("bank", List.of(1, 2, 3, 4, 5))).isNotEqualTo(abc);
    assertThat(Stamp.clusterFingerprint("bank", List.of(1, 2, 4))).isNotEqualTo(abc);
    assertThat(Stamp.clusterFingerprint("bank2", List.of(1, 2, 3))).isNotEqualTo(abc);
    // The derivation is part of the wire format: nodes of two builds must agree on it.
    // The first 8 bytes of SHA-256("modpaxos-cluster-v1\n4:bank\n1,2,3,"), checked with sha256sum.
    assertThat(Stamp.hex(abc)).isEqualTo("4190162a24a4fab8");
    assertThat(Stamp.clusterFingerprint(CONFIG))
        .isEqualTo(Stamp.clusterFingerprint(CONFIG.clusterId(), MEMBERS));
  }

  @Test
  void aStampRefusesAMissingFingerprintANegativeEpochAndDuplicateMembers() {
    assertThatThrownBy(() -> new Stamp(0, 0)).hasMessage("a stamp's cluster fingerprint is never 0");
    assertThatThrownBy(() -> new Stamp(1, -1)).hasMessage("a stamp's epoch must be >= 0, got -1");
    assertThatThrownBy(() -> Stamp.clusterFingerprint("bank", List.of(1, 2, 2, 3)))
        .hasMessage("founding members must be distinct, got [1, 2, 2, 3]");
    assertThatThrownBy(() -> Stamp.clusterFingerprint(" ", List.of(1)))
        .hasMessage("clusterId must not be blank");
  }

  @Test
  void aMessageOfAnotherClusterChangesNothingAndIsCounted() {
    Replica r = new Replica(CONFIG, StoredState.EMPTY);
    r.submit(new byte[] {7});
    r.ready();
    Stamp otherMembers = new Stamp(Stamp.clusterFingerprint(CONFIG.clusterId(),
        List.of(1, 2, 3, 4, 5)), 0);
    Stamp otherId = new Stamp(Stamp.clusterFingerprint("elsewhere", MEMBERS), 0);

    assertThat(r.step(otherMembers, new Prepare(1, 3, new Ballot(5, 1), 0))).isFalse();
    assertThat(r.step(otherId, new Commit(2, 3, 1, block(2, 1)))).isFalse();
    assertThat(r.admits(otherId, new Message.SnapshotOffer(2, 3, 9))).isFalse();

    assertThat(r.rejectedForeign()).isEqualTo(3);
    assertThat(r.ready().isEmpty()).as("no effect at all").isTrue();
    assertThat(r.promised()).isEqualTo(Ballot.ZERO);
    assertThat(r.committedSlot()).isZero();

    // The very same message with this cluster's stamp is acted on.
    assertThat(r.step(r.stamp(), new Prepare(1, 3, new Ballot(5, 1), 0))).isTrue();
    Ready ready = r.ready();
    assertThat(ready.promised()).isEqualTo(new Ballot(5, 1));
    assertThat(ready.allMessages()).singleElement().isInstanceOf(Promise.class);
    assertThat(r.rejectedForeign()).isEqualTo(3);
  }

  @Test
  void aNodeStampsItsClusterAndEpoch() {
    Replica r = new Replica(CONFIG, StoredState.EMPTY);
    assertThat(r.stamp()).isEqualTo(new Stamp(OURS, 0));
  }

  @Test
  void aSenderOfAHigherEpochIsHeardAndAskedForBlocksAtMostOncePerRoundTimeout() {
    Replica r = new Replica(CONFIG, StoredState.EMPTY);
    r.ready();
    Stamp ahead = new Stamp(OURS, 1);

    r.step(ahead, new Prepare(1, 3, new Ballot(5, 1), 0));
    Ready first = r.ready();
    assertThat(first.promised()).as("stepped as usual").isEqualTo(new Ballot(5, 1));
    assertThat(first.allMessages()).hasSize(2).anySatisfy(m -> assertThat(m)
        .isEqualTo(new CatchUpRequest(3, 1, 1)));

    r.step(ahead, new Prepare(1, 3, new Ballot(6, 1), 0));
    assertThat(r.ready().allMessages()).as("asked already this round timeout")
        .noneMatch(m -> m instanceof CatchUpRequest);
    r.step(ahead, new Prepare(2, 3, new Ballot(7, 2), 0));
    assertThat(r.ready().allMessages()).as("another sender is asked on its own")
        .contains(new CatchUpRequest(3, 2, 1));
    r.step(new Stamp(OURS, 0), new Prepare(1, 3, new Ballot(8, 1), 0));
    assertThat(r.ready().allMessages()).as("an equal epoch asks nothing")
        .noneMatch(m -> m instanceof CatchUpRequest);

    for (int i = 0; i < CONFIG.roundTimeoutTicks(); i++) {
      r.tick();
    }
    r.ready();
    r.step(ahead, new Prepare(1, 3, new Ballot(9, 1), 0));
    assertThat(r.ready().allMessages()).as("a round timeout later it asks again")
        .contains(new CatchUpRequest(3, 1, 1));
  }

  @Test
  void theEpochCountsAppliedMembershipChangesAndSurvivesASnapshot() {
    Membership m = new Membership(MEMBERS);
    assertThat(m.epoch()).isZero();
    m.readmit(2, 1);
    assertThat(m.epoch()).isEqualTo(1);
    m.readmit(2, 1); // stale: ignored
    assertThat(m.epoch()).isEqualTo(1);
    m.readmit(3, 1);
    m.readmit(2, 2);
    assertThat(m.epoch()).isEqualTo(3);

    Membership restored = new Membership(MEMBERS);
    restored.replaceWith(m); // R20: a snapshot records the configuration with its epoch
    assertThat(restored.epoch()).isEqualTo(3);
    restored.replaceWith(new Membership(MEMBERS));
    assertThat(restored.epoch()).isZero();
  }
}
