package dev.modpaxos.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** R1, R17: members, majorities and re-admission under the next generation. */
class MembershipTest {

  @Test
  void initialMembersAreGenerationOneAndOthersAreNoMembers() {
    Membership m = new Membership(List.of(1, 2, 3));
    assertThat(m.contains(2)).isTrue();
    assertThat(m.contains(4)).isFalse();
    assertThat(m.generationOf(2)).isEqualTo(1);
    assertThat(m.generationOf(4)).isZero();
    assertThat(m.members()).containsExactly(1, 2, 3);
    assertThat(m).hasToString("{1=1, 2=1, 3=1}");
  }

  @Test
  void onlyTheCurrentGenerationOfAMemberIsCurrent() {
    Membership m = new Membership(List.of(1, 2, 3));
    assertThat(m.isCurrent(2, 1)).isTrue();
    assertThat(m.isCurrent(2, 2)).isFalse();
    assertThat(m.isCurrent(2, 0)).as("a pending incarnation never counts").isFalse();
    assertThat(m.isCurrent(4, 0)).as("nor does a non-member").isFalse();
  }

  @Test
  void majorityIsHalfPlusOne() {
    assertThat(new Membership(List.of(1)).majority()).isEqualTo(1);
    assertThat(new Membership(List.of(1, 2)).majority()).isEqualTo(2);
    assertThat(new Membership(List.of(1, 2, 3)).majority()).isEqualTo(2);
    assertThat(new Membership(List.of(1, 2, 3, 4)).majority()).isEqualTo(3);
    assertThat(new Membership(List.of(1, 2, 3, 4, 5)).majority()).isEqualTo(3);
  }

  @Test
  void readmitMovesACurrentGenerationToTheNextAndIgnoresStaleRequests() {
    Membership m = new Membership(List.of(1, 2, 3));
    assertThat(m.readmit(2, 1)).isEqualTo(2);
    assertThat(m.generationOf(2)).isEqualTo(2);
    assertThat(m.readmit(2, 1)).as("stale: generation 1 was already replaced").isZero();
    assertThat(m.generationOf(2)).isEqualTo(2);
    assertThat(m.readmit(4, 1)).as("not a member").isZero();
    assertThat(m.contains(4)).isFalse();
  }

  @Test
  void theLastGenerationCannotBeReplaced() {
    Membership m = new Membership(List.of(1, 2, 3));
    for (int g = 1; g < EntryId.maxGeneration(); g++) {
      assertThat(m.readmit(1, g)).isEqualTo(g + 1);
    }
    assertThat(m.generationOf(1)).isEqualTo(EntryId.maxGeneration());
    assertThatThrownBy(() -> m.readmit(1, EntryId.maxGeneration()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("used every generation");
  }
}
