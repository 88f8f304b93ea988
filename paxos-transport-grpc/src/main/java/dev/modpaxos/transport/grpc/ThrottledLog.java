package dev.modpaxos.transport.grpc;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs at WARN at most once per second and counts what it held back, so a peer that is down or
 * a flood of bad frames cannot flood the log. Thread-safe.
 */
final class ThrottledLog {
  private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
  private final Logger log;
  private final AtomicLong nextNanos = new AtomicLong(System.nanoTime());
  private final AtomicLong suppressed = new AtomicLong();

  ThrottledLog(Logger log) {
    this.log = log;
  }

  void warn(String message) {
    long now = System.nanoTime();
    long next = nextNanos.get();
    if (now - next >= 0 && nextNanos.compareAndSet(next, now + INTERVAL_NANOS)) {
      long held = suppressed.getAndSet(0);
      log.warn(held == 0 ? message : message + " (" + held + " more suppressed in the last second)");
    } else {
      suppressed.incrementAndGet();
      log.debug(message);
    }
  }
}
