package dev.modpaxos.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** R3: an entry is (origin, seq, payload); immutable. */
class EntryTest {

  @Test
  void seqBelowOneIsRefused() {
    assertThatThrownBy(() -> new Entry(1, 0, new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void payloadIsCopiedInAndOut() {
    byte[] in = {1, 2, 3};
    Entry e = new Entry(1, 1, in);
    in[0] = 9;
    byte[] out = e.payload();
    out[1] = 9;
    assertThat(e.payload()).containsExactly(1, 2, 3);
    assertThat(e.payloadSize()).isEqualTo(3);
  }

  @Test
  void copyPayloadToWritesThePayloadAtTheOffset() {
    byte[] dst = new byte[5];
    new Entry(1, 1, new byte[] {7, 8}).copyPayloadTo(dst, 2);
    assertThat(dst).containsExactly(0, 0, 7, 8, 0);
  }

  @Test
  void entriesAreEqualOnlyWithTheSameIdAndPayload() {
    Entry a = new Entry(1, 1, new byte[] {1});
    assertThat(a).isEqualTo(new Entry(1, 1, new byte[] {1}))
        .hasSameHashCodeAs(new Entry(1, 1, new byte[] {1}));
    assertThat(a).isNotEqualTo(new Entry(1, 1, new byte[] {2}));
    assertThat(a).isNotEqualTo(new Entry(1, 2, new byte[] {1}));
    assertThat(a.hashCode()).as("the payload takes part in the hash")
        .isNotEqualTo(new Entry(1, 1, new byte[] {2}).hashCode());
  }

  @Test
  void printsIdSizeAndAtMostEightPayloadBytes() {
    assertThat(new Entry(1, 2, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))
        .hasToString("1:2[8B 0102030405060708]");
    assertThat(new Entry(1, 2, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}))
        .hasToString("1:2[9B 0102030405060708…]");
  }
}
