package dev.modpaxos.transport.grpc;

/**
 * Bounded exponential back-off between attempts to re-open a stream: {@code initialMillis}, then
 * twice as long each time, never more than {@code maxMillis}, until {@link #reset}. Not
 * thread-safe: its {@link PeerLink} calls it under its lock.
 */
final class Backoff {
  private final long initialMillis;
  private final long maxMillis;
  // Invariant: initialMillis <= nextMillis <= maxMillis
  private long nextMillis;

  Backoff(long initialMillis, long maxMillis) {
    if (initialMillis <= 0 || maxMillis < initialMillis) {
      throw new IllegalArgumentException(
          "back-off needs 0 < initial <= max, got " + initialMillis + " and " + maxMillis);
    }
    this.initialMillis = initialMillis;
    this.maxMillis = maxMillis;
    this.nextMillis = initialMillis;
  }

  /** The delay before the next attempt; the one after it doubles, up to the maximum. */
  long nextMillis() {
    long d = nextMillis;
    nextMillis = Math.min(maxMillis, nextMillis * 2);
    return d;
  }

  long maxMillis() {
    return maxMillis;
  }

  /** After a success: the next delay is the initial one again. */
  void reset() {
    nextMillis = initialMillis;
  }
}
