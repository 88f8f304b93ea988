package dev.modpaxos.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** R3: a block holds distinct entry ids, in order. */
class BlockTest {
  private static final Entry A = new Entry(1, 1, new byte[] {1});
  private static final Entry B = new Entry(2, 1, new byte[] {2});
  private static final Entry CONTROL = new Readmission(3, 5, 1).toEntry();

  @Test
  void duplicateIdsAreRefused() {
    assertThatThrownBy(() -> new Block(List.of(A, new Entry(1, 1, new byte[] {9}))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duplicate entry 1:1");
  }

  @Test
  void sizeAndIdsFollowTheEntriesInOrder() {
    Block b = new Block(List.of(B, A));
    assertThat(b.size()).isEqualTo(2);
    assertThat(b.isEmpty()).isFalse();
    assertThat(b.ids()).containsExactly(new EntryId(2, 1), new EntryId(1, 1));
    assertThat(b).hasToString("Block[2:1, 1:1]");
    assertThat(Block.EMPTY.size()).isZero();
    assertThat(Block.EMPTY.isEmpty()).isTrue();
  }

  @Test
  void withoutControlKeepsOnlyUserEntriesAndIsIdentityWithoutControl() {
    Block user = new Block(List.of(A, B));
    assertThat(user.hasControl()).isFalse();
    assertThat(user.withoutControl()).isSameAs(user);
    Block mixed = new Block(List.of(A, CONTROL, B));
    assertThat(mixed.hasControl()).isTrue();
    assertThat(mixed.withoutControl().entries()).containsExactly(A, B);
  }
}
