package dev.modpaxos.runtime;

import java.util.Arrays;

/**
 * Keeps the last {@value #WINDOW} samples for percentiles and an all-time count and average.
 * Thread-safe (synchronized; recorded from one thread, read rarely). The window grows as samples
 * arrive, so a short-lived node (the simulator starts thousands) costs little.
 */
final class LatencyRecorder {
  static final int WINDOW = 8192;
  private static final int INITIAL = 64;
  // Invariant: ring.length <= WINDOW; ring.length == WINDOW once count >= WINDOW.
  private long[] ring = new long[INITIAL];
  private long count;
  private double sumMicros;

  synchronized void recordNanos(long nanos) {
    long micros = Math.max(0, nanos / 1000);
    if (count == ring.length && ring.length < WINDOW) {
      ring = Arrays.copyOf(ring, Math.min(WINDOW, ring.length * 2));
    }
    ring[(int) (count % ring.length)] = micros;
    count++;
    sumMicros += micros;
  }

  synchronized LatencySummary summary() {
    if (count == 0) {
      return LatencySummary.EMPTY;
    }
    int n = (int) Math.min(count, ring.length);
    long[] sorted = Arrays.copyOf(ring, n);
    Arrays.sort(sorted);
    return new LatencySummary(
        count, sumMicros / count, sorted[(n - 1) / 2], sorted[(int) Math.ceil(n * 0.99) - 1]);
  }
}
