package dev.modpaxos.bank;

import java.util.HashMap;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends what gRPC and Netty log through {@code java.util.logging} (connect failures with long
 * stack traces, mostly while peers start or restart) to the bank's log file only, as logger
 * {@code grpc-noise}, and at most one line per source logger every {@link #QUIET_MILLIS}, with a
 * count of the lines left out. Thread-safe.
 */
final class JulToLog extends Handler {
  static final long QUIET_MILLIS = 10_000;
  private static final Logger out = LoggerFactory.getLogger("grpc-noise");
  private final Map<String, long[]> lastAndSuppressed = new HashMap<>();

  private JulToLog() {}

  /** Replaces the JUL root handlers (the console) with this one. Idempotent. */
  static void install() {
    java.util.logging.Logger root = LogManager.getLogManager().getLogger("");
    for (Handler h : root.getHandlers()) {
      if (h instanceof JulToLog) {
        return;
      }
      root.removeHandler(h);
    }
    root.addHandler(new JulToLog());
    root.setLevel(Level.INFO);
  }

  @Override
  public void publish(LogRecord r) {
    if (r.getLevel().intValue() < Level.INFO.intValue()) {
      return;
    }
    long now = System.currentTimeMillis();
    long suppressed;
    synchronized (this) {
      long[] s = lastAndSuppressed.computeIfAbsent(
          String.valueOf(r.getLoggerName()), k -> new long[] {Long.MIN_VALUE / 2, 0});
      if (now - s[0] < QUIET_MILLIS) {
        s[1]++;
        return;
      }
      suppressed = s[1];
      s[0] = now;
      s[1] = 0;
    }
    String msg = r.getLoggerName() + ": " + r.getMessage()
        + (suppressed > 0 ? " (" + suppressed + " similar lines left out)" : "");
    out.warn(msg, r.getThrown());
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
