package dev.modpaxos.bank;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link Progress} on a clock the test moves: silent when fast, a line every few seconds when not. */
class ProgressTest {
  private final AtomicLong clock = new AtomicLong();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final Progress progress = new Progress(
      new PrintStream(err, true, StandardCharsets.UTF_8), clock::get, 2_000, 3_000);

  private void at(long millis) {
    clock.set(TimeUnit.MILLISECONDS.toNanos(millis));
    progress.tick();
  }

  private String printed() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aStepShorterThanTheThresholdPrintsNothing() {
    progress.begin("set 1", "S1 executes (S1, S3, 45)");
    at(1_999);
    assertThat(progress.end()).isFalse();
    at(60_000);
    assertThat(printed()).isEmpty();
  }

  @Test
  void aLongStepPrintsALineEveryFewSecondsWithWhatItWaitsFor() {
    progress.begin("set 4", "S4 executes (S4, S5, 85)");
    at(2_500);
    assertThat(printed())
        .isEqualTo("bank: set 4 still running (2 s): S4 executes (S4, S5, 85) (2 s so far)\n");
    at(5_000);
    assertThat(printed().lines()).hasSize(1);
    at(5_500);
    assertThat(printed().lines()).hasSize(2);
    clock.set(TimeUnit.MILLISECONDS.toNanos(6_000));
    progress.doing("S4 retries its pending transfers");
    at(8_600);
    assertThat(printed().lines()).hasSize(3).last().asString()
        .isEqualTo("bank: set 4 still running (8 s): S4 retries its pending transfers (2 s so far)");
    assertThat(progress.end()).isTrue();
    at(60_000);
    assertThat(printed().lines()).hasSize(3);
  }

  @Test
  void whatTheDriverDoesBetweenStepsIsIgnoredAndNonePrintsNothing() {
    progress.doing("resync");
    at(10_000);
    Progress.NONE.begin("set 1", "x");
    Progress.NONE.tick();
    Progress.NONE.end();
    assertThat(printed()).isEmpty();
  }
}
