package dev.modpaxos.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** R4, R16: generations own disjoint ranges of seqs. */
class EntryIdTest {
  private static final long GENERATION_SPAN = 1L << EntryId.SEQ_BITS;

  @Test
  void firstSeqOfEachGenerationStartsItsOwnRange() {
    assertThat(EntryId.firstSeq(1)).isEqualTo(1);
    assertThat(EntryId.firstSeq(2)).isEqualTo(GENERATION_SPAN + 1);
    assertThat(EntryId.firstSeq(EntryId.maxGeneration()))
        .isEqualTo((EntryId.maxGeneration() - 1L) * GENERATION_SPAN + 1)
        .isPositive();
  }

  @Test
  void firstSeqRefusesGenerationsOutsideOneToMax() {
    assertThatThrownBy(() -> EntryId.firstSeq(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EntryId.firstSeq(EntryId.maxGeneration() + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("generation must be in 1..");
  }

  @Test
  void generationOfTheFirstAndLastSeqOfARangeIsThatRange() {
    assertThat(new EntryId(2, 1).generation()).isEqualTo(1);
    assertThat(new EntryId(2, GENERATION_SPAN).generation()).as("last seq of generation 1")
        .isEqualTo(1);
    assertThat(new EntryId(2, GENERATION_SPAN + 1).generation()).isEqualTo(2);
    assertThat(new EntryId(2, EntryId.firstSeq(5) + 41).generation()).isEqualTo(5);
  }

  @Test
  void onlyOriginZeroIsControl() {
    assertThat(new EntryId(EntryId.CONTROL, 9).isControl()).isTrue();
    assertThat(new EntryId(1, 9).isControl()).isFalse();
  }

  @Test
  void orderIsOriginThenSeq() {
    assertThat(new EntryId(1, 50)).isLessThan(new EntryId(2, 1));
    assertThat(new EntryId(2, 1)).isLessThan(new EntryId(2, 2));
  }

  @Test
  void printsOriginAndSeqWithTheGenerationAndItsOwnCountAboveOne() {
    assertThat(new EntryId(2, 5)).hasToString("2:5");
    assertThat(new EntryId(2, EntryId.firstSeq(3) + 6)).hasToString("2:g3:7");
    assertThat(new EntryId(EntryId.CONTROL, 255)).hasToString("ctl:ff");
  }
}
