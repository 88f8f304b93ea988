package dev.modpaxos.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** R17: a re-admission request travels as a control entry and parses back only if well formed. */
class ReadmissionTest {

  @Test
  void requestRoundTripsThroughItsControlEntry() {
    Readmission r = new Readmission(3, 1, 1);
    Entry e = r.toEntry();
    assertThat(e.id().isControl()).isTrue();
    assertThat(Readmission.of(e)).isEqualTo(r);
  }

  @Test
  void nonceBelowOneIsRefusedAndNormaliseNeverGivesZero() {
    assertThatThrownBy(() -> new Readmission(3, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThat(Readmission.normalise(0)).isEqualTo(1);
    assertThat(Readmission.normalise(-1)).isEqualTo(Long.MAX_VALUE);
    assertThat(Readmission.normalise(42)).isEqualTo(42);
  }

  @Test
  void requestsOfDifferentIncarnationsOrGenerationsHaveDifferentIds() {
    EntryId first = new Readmission(3, 1, 1).toEntry().id();
    assertThat(new Readmission(3, 2, 1).toEntry().id()).as("another nonce").isNotEqualTo(first);
    assertThat(new Readmission(3, 1, 2).toEntry().id()).as("another generation")
        .isNotEqualTo(first);
    assertThat(new Readmission(3, 1, 1).toEntry().id()).as("the same request").isEqualTo(first);
  }

  @Test
  void requestsNamingNoMemberOrNoGenerationAreNotWellFormed() {
    assertThat(Readmission.of(new Readmission(0, 5, 1).toEntry())).isNull();
    assertThat(Readmission.of(new Readmission(3, 5, 0).toEntry())).isNull();
    assertThat(Readmission.of(new Readmission(3, 5, 1).toEntry())).isNotNull();
  }

  @Test
  void userEntriesAndDamagedControlEntriesAreNotRequests() {
    Entry good = new Readmission(3, 5, 1).toEntry();
    assertThat(Readmission.of(new Entry(3, good.seq(), good.payload()))).as("not control")
        .isNull();
    assertThat(Readmission.of(new Entry(EntryId.CONTROL, good.seq(), new byte[3]))).isNull();
    byte[] otherKind = good.payload();
    otherKind[0] = 'X';
    assertThat(Readmission.of(new Entry(EntryId.CONTROL, good.seq(), otherKind))).isNull();
    assertThat(Readmission.of(new Entry(EntryId.CONTROL, good.seq() + 1, good.payload())))
        .as("id does not match the request").isNull();
    byte[] zeroNonce = good.payload();
    ByteBuffer.wrap(zeroNonce).putLong(1 + 4, 0); // kind, member, then the nonce
    assertThat(Readmission.of(new Entry(EntryId.CONTROL, good.seq(), zeroNonce))).isNull();
  }
}
