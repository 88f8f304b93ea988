package dev.modpaxos.runtime;

import java.util.Arrays;

/**
 * Keeps the last {@value #WINDOW} samples for percentiles and an all-time count and average.
 * Thread-safe (synchronized; recorded from one thread, read rarely).
 */
final class LatencyRecorder {
  static final int WINDOW = 8192;
  private final long[] ring = new long[WINDOW];
  private long count;
  private double sumMicros;

  synchronized void recordNanos(long nanos) {
    long micros = Math.max(0, nanos / 1000);
    ring[(int) (count % WINDOW)] = micros;
    count++;
    sumMicros += micros;
  }

  synchronized LatencySummary summary() {
    if (count == 0) {
      return LatencySummary.EMPTY;
    }
    int n = (int) Math.min(count, WINDOW);
    long[] sorted = Arrays.copyOf(ring, n);
    Arrays.sort(sorted);
    return new LatencySummary(
        count, sumMicros / count, sorted[(n - 1) / 2], sorted[(int) Math.ceil(n * 0.99) - 1]);
  }
}
