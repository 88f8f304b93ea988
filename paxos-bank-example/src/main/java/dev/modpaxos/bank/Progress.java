package dev.modpaxos.bank;

import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Progress of the long steps (start-up, a set waiting on rounds) on the console: stderr, never
 * stdout, which is the menu's transcript. A step that runs longer than {@code afterMillis} gets a
 * line, {@code bank: set 4 still running (6 s): S4 runs a round ... (3 s so far)}, and then one
 * every {@code everyMillis} until it ends; a fast step prints nothing. Whole lines only (no
 * carriage-return animation), so logs of CI and runs without a terminal stay readable.
 * Thread-safe: the driver's thread says what it does, a ticker prints.
 */
final class Progress implements AutoCloseable {
  static final long AFTER_MILLIS = 2_000;
  static final long EVERY_MILLIS = 3_000;
  private static final long TICK_MILLIS = 250;

  /** Prints nothing (tests that drive a {@link SetRunner} directly). */
  static final Progress NONE = new Progress(null, System::nanoTime, 0, 0);

  private final PrintStream out;
  private final LongSupplier nanoClock;
  private final long afterNanos;
  private final long everyNanos;
  private ScheduledExecutorService ticker;

  // Guarded by this. Invariant: step == null iff no step runs.
  private String step;
  private String doing = "";
  private long stepStart;
  private long doingStart;
  private long lastLine;
  private boolean printed;

  /** Ticked by hand ({@link #tick()}) on {@code nanoClock}: tests. {@code out} null prints nothing. */
  Progress(PrintStream out, LongSupplier nanoClock, long afterMillis, long everyMillis) {
    this.out = out;
    this.nanoClock = nanoClock;
    this.afterNanos = TimeUnit.MILLISECONDS.toNanos(afterMillis);
    this.everyNanos = TimeUnit.MILLISECONDS.toNanos(everyMillis);
  }

  /** On stderr, ticked every {@value #TICK_MILLIS} ms by a daemon thread; close it at the end. */
  static Progress console() {
    Progress p = new Progress(System.err, System::nanoTime, AFTER_MILLIS, EVERY_MILLIS);
    p.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bank-progress");
      t.setDaemon(true);
      return t;
    });
    p.ticker.scheduleWithFixedDelay(p::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    return p;
  }

  /** One line now, whatever the time: {@code bank: <line>}. */
  void say(String line) {
    if (out != null) {
      out.println("bank: " + line);
      out.flush();
    }
  }

  /** A step starts ("set 4", "start-up"), doing {@code doing}. */
  synchronized void begin(String step, String doing) {
    this.step = step;
    this.stepStart = nanoClock.getAsLong();
    this.printed = false;
    this.doing = doing;
    this.doingStart = stepStart;
  }

  /** What the running step waits for now; its own time starts now. Ignored between steps. */
  synchronized void doing(String what) {
    if (step != null && !what.equals(doing)) {
      doing = what;
      doingStart = nanoClock.getAsLong();
    }
  }

  /**
   * The step ended. Returns whether it printed a progress line (so the caller may say it ended,
   * as {@code bank: start-up done in 4 s}).
   */
  synchronized boolean end() {
    step = null;
    doing = "";
    return printed;
  }

  /** Seconds the running step has taken, or 0 between steps. */
  synchronized long stepSeconds() {
    return step == null ? 0 : TimeUnit.NANOSECONDS.toSeconds(nanoClock.getAsLong() - stepStart);
  }

  /** Prints a line if a step has run past its first threshold and no line came for a while. */
  synchronized void tick() {
    if (step == null || out == null) {
      return;
    }
    long now = nanoClock.getAsLong();
    if (now - stepStart < afterNanos || (printed && now - lastLine < everyNanos)) {
      return;
    }
    printed = true;
    lastLine = now;
    long doingSeconds = TimeUnit.NANOSECONDS.toSeconds(now - doingStart);
    out.printf("bank: %s still running (%d s): %s%s%n", step,
        TimeUnit.NANOSECONDS.toSeconds(now - stepStart), doing,
        doingSeconds >= 1 ? " (" + doingSeconds + " s so far)" : "");
    out.flush();
  }

  @Override
  public void close() {
    if (ticker != null) {
      ticker.shutdownNow();
    }
  }
}
