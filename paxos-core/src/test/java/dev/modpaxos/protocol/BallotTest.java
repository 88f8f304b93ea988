package dev.modpaxos.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** R1: ballots are totally ordered by round, then node id, then generation. */
class BallotTest {

  @Test
  void roundZeroAndGenerationZeroAreLegalButNegativesAreNot() {
    assertThat(new Ballot(0, 3, 0)).isNotNull();
    assertThatThrownBy(() -> new Ballot(-1, 3, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("round");
    assertThatThrownBy(() -> new Ballot(1, 3, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("generation");
  }

  @Test
  void orderIsRoundThenNodeThenGeneration() {
    assertThat(new Ballot(2, 1)).isGreaterThan(new Ballot(1, 9));
    assertThat(new Ballot(2, 3)).isGreaterThan(new Ballot(2, 2, 7));
    assertThat(new Ballot(2, 3, 2)).isGreaterThan(new Ballot(2, 3, 1));
    assertThat(new Ballot(2, 3, 2)).isEqualByComparingTo(new Ballot(2, 3, 2));
  }

  @Test
  void isAtLeastHoldsForEqualAndHigherButNotForLowerBallots() {
    Ballot b = new Ballot(4, 2);
    assertThat(b.isAtLeast(new Ballot(4, 2))).isTrue();
    assertThat(b.isAtLeast(new Ballot(3, 5))).isTrue();
    assertThat(b.isAtLeast(new Ballot(4, 3))).isFalse();
    assertThat(b.isAbove(new Ballot(4, 2))).isFalse();
  }

  @Test
  void nextIsOneRoundUpOwnedByTheGivenMemberAndGeneration() {
    assertThat(new Ballot(7, 3).next(1, 2)).isEqualTo(new Ballot(8, 1, 2));
    assertThat(Ballot.ZERO.next(1, 1)).isGreaterThan(Ballot.ZERO);
  }

  @Test
  void printsRoundDotNodeWithTheGenerationOnlyAboveOne() {
    assertThat(new Ballot(3, 2)).hasToString("3.2");
    assertThat(new Ballot(3, 2, 2)).hasToString("3.2g2");
    assertThat(Ballot.ZERO).hasToString("0.0");
  }
}
