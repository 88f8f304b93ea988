package dev.modpaxos.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The config refuses values the protocol cannot run with. */
class ReplicaConfigTest {
  private static final List<Integer> MEMBERS = List.of(1, 2, 3);

  private static ReplicaConfig build(UnaryOperator<ReplicaConfig.Builder> tune) {
    return tune.apply(ReplicaConfig.builder(1, MEMBERS)).build();
  }

  @Test
  void everyCountAndDurationMustBePositive() {
    List<UnaryOperator<ReplicaConfig.Builder>> zeros =
        List.of(
            b -> b.roundTimeoutTicks(0),
            b -> b.backoffTicksMax(0),
            b -> b.roundAttemptsMax(0),
            b -> b.forwardIntervalTicks(0),
            b -> b.blockEntriesMax(0),
            b -> b.blockBytesMax(0),
            b -> b.catchUpBlocksMax(0));
    for (UnaryOperator<ReplicaConfig.Builder> zero : zeros) {
      assertThatThrownBy(() -> build(zero))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("must be > 0, got 0");
    }
    assertThat(build(b -> b.roundTimeoutTicks(1).catchUpBlocksMax(1)).roundTimeoutTicks())
        .isEqualTo(1);
  }

  @Test
  void promiseWaitMayBeZeroButNotNegative() {
    assertThat(build(b -> b.promiseWaitTicks(0)).promiseWaitTicks()).isZero();
    assertThatThrownBy(() -> build(b -> b.promiseWaitTicks(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void membersMustBePositiveAndDistinctAndANodeOutsideThemIsAJoiner() {
    assertThatThrownBy(() -> ReplicaConfig.builder(1, List.of(0, 1, 2)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("positive");
    assertThatThrownBy(() -> ReplicaConfig.builder(1, List.of(1, 1, 2)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("distinct");
    assertThat(ReplicaConfig.builder(4, MEMBERS).build().members()).doesNotContain(4); // R21
    assertThatThrownBy(() -> ReplicaConfig.builder(0, MEMBERS).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nodeId must be positive");
    assertThatThrownBy(() -> build(b -> b.clusterId(" ")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(ReplicaConfig.builder(2, List.of(3, 1, 2)).build().members())
        .containsExactly(1, 2, 3);
  }

  @Test
  void majorityIsHalfTheMembersPlusOne() {
    assertThat(ReplicaConfig.builder(1, List.of(1)).build().majority()).isEqualTo(1);
    assertThat(ReplicaConfig.builder(1, List.of(1, 2)).build().majority()).isEqualTo(2);
    assertThat(ReplicaConfig.builder(1, List.of(1, 2, 3, 4, 5)).build().majority()).isEqualTo(3);
  }

  @Test
  void toBuilderRebuildsAnEqualConfig() {
    ReplicaConfig c =
        build(
            b ->
                b.clusterId("bank")
                    .trigger(RoundTrigger.ON_DEMAND)
                    .seed(9)
                    .roundTimeoutTicks(11)
                    .backoffTicksMax(12)
                    .promiseWaitTicks(13)
                    .roundAttemptsMax(14)
                    .forwardIntervalTicks(15)
                    .blockEntriesMax(16)
                    .blockBytesMax(17)
                    .catchUpBlocksMax(18));
    assertThat(c.toBuilder().build()).isEqualTo(c);
    assertThat(c.clusterId()).isEqualTo("bank");
    assertThat(c.roundAttemptsMax()).isEqualTo(14);
    assertThat(c.forwardIntervalTicks()).isEqualTo(15);
  }
}
