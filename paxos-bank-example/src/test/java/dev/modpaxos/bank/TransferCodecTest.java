package dev.modpaxos.bank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TransferCodecTest {
  @Test
  void roundTripsEveryField() {
    Transfer t = new Transfer(Long.MAX_VALUE - 7, 5, 1, Transfer.AMOUNT_MAX);
    byte[] b = TransferCodec.encode(t);
    assertThat(b).hasSize(15);
    assertThat(TransferCodec.decode(b)).isEqualTo(t);
  }

  @Test
  void rejectsOtherVersionsLengthsAndInvalidTransfers() {
    byte[] ok = TransferCodec.encode(new Transfer(1, 1, 2, 10));
    byte[] v2 = ok.clone();
    v2[0] = 2;
    assertThatThrownBy(() -> TransferCodec.decode(v2)).hasMessageContaining("version 2");
    assertThatThrownBy(() -> TransferCodec.decode(new byte[0])).hasMessageContaining("missing");
    assertThatThrownBy(() -> TransferCodec.decode(java.util.Arrays.copyOf(ok, 14)))
        .hasMessageContaining("14 bytes");
    byte[] self = ok.clone();
    self[10] = 1; // to = from
    assertThatThrownBy(() -> TransferCodec.decode(self)).hasMessageContaining("self-transfer");
    byte[] zero = ok.clone();
    zero[14] = 0;
    assertThatThrownBy(() -> TransferCodec.decode(zero)).hasMessageContaining("positive");
  }

  @Test
  void transferRejectsBadFields() {
    assertThatThrownBy(() -> new Transfer(1, 6, 1, 5)).hasMessageContaining("unknown sender");
    assertThatThrownBy(() -> new Transfer(1, 1, 1, 5)).hasMessageContaining("self-transfer");
    assertThatThrownBy(() -> new Transfer(1, 1, 2, 0)).hasMessageContaining("positive");
    assertThatThrownBy(() -> new Transfer(1, 1, 2, Transfer.AMOUNT_MAX + 1))
        .hasMessageContaining("too large");
  }
}
