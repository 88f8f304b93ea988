package dev.modpaxos.runtime;

/** Latency over the recent samples of one measurement, in microseconds. */
public record LatencySummary(long count, double avgMicros, long p50Micros, long p99Micros) {
  /** No samples. */
  public static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0);
}
