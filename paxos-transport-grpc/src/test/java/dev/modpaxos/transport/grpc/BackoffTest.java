package dev.modpaxos.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void delaysDoubleFromTheInitialOneAndNeverPassTheMaximum() {
    Backoff b = new Backoff(10, 500);
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      delays.add(b.nextMillis());
    }
    assertThat(delays).containsExactly(10L, 20L, 40L, 80L, 160L, 320L, 500L, 500L, 500L, 500L);
    assertThat(b.maxMillis()).isEqualTo(500);
  }

  @Test
  void aResetStartsAgainFromTheInitialDelay() {
    Backoff b = new Backoff(10, 500);
    b.nextMillis();
    b.nextMillis();
    b.reset();
    assertThat(b.nextMillis()).isEqualTo(10);
  }

  @Test
  void aMaximumBelowTheInitialDelayIsRefused() {
    assertThatThrownBy(() -> new Backoff(100, 10)).hasMessageContaining("0 < initial <= max");
    assertThatThrownBy(() -> new Backoff(0, 10)).hasMessageContaining("0 < initial <= max");
  }
}
