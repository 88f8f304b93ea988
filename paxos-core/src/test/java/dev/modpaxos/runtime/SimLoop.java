package dev.modpaxos.runtime;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A deterministic {@link NodeLoop} for tests and the simulator: one thread (the caller's), a
 * virtual clock, and nothing runs until the caller says so. {@link #runQueued()} runs one batch of
 * the tasks queued so far, {@link #tick()} one batch of a tick and those tasks; each batch ends in
 * one {@code Ready}, as in production. After every tick and every task it runs the {@code
 * afterInput} check (the simulator's invariant check). Every caller counts as being on the loop,
 * so queries answer at once. Not thread-safe.
 *
 * <p>A tick, task or batch that throws ends the loop, as it would end the production loop; the
 * throwable is kept in {@link #failure()} instead of escaping.
 */
public final class SimLoop implements NodeLoop {
  /** Virtual time that one {@link #tick()} adds to the clock. */
  public static final long TICK_NANOS = 10_000_000;

  private final Runnable afterInput;
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  private Work work;
  // Invariant: true from start() until the loop ends.
  private boolean accepting;
  private boolean ended;
  private boolean inBatch;
  private boolean stopAfterBatch;
  private long nanos;
  private Throwable failure;

  /** A loop that runs {@code afterInput} after every tick and task. */
  public SimLoop(Runnable afterInput) {
    this.afterInput = afterInput;
  }

  /** A loop without an after-input check. */
  public SimLoop() {
    this(() -> {});
  }

  /** One batch: a tick of logical time, then every task queued before it, then their Ready. */
  public void tick() {
    nanos += TICK_NANOS;
    batch(true);
  }

  /** One batch of the tasks queued so far, if there are any. */
  public void runQueued() {
    if (!tasks.isEmpty()) {
      batch(false);
    }
  }

  /** True from start until the loop ended (stopped, failed or halted). */
  public boolean isRunning() {
    return accepting;
  }

  /** What ended the loop, or null. */
  public Throwable failure() {
    return failure;
  }

  @Override
  public void start(Work w) {
    if (work != null) {
      throw new IllegalStateException("SimLoop already started");
    }
    work = w;
    accepting = true;
  }

  @Override
  public boolean execute(Runnable task) {
    if (!accepting) {
      return false;
    }
    tasks.add(task);
    return true;
  }

  @Override
  public int queued() {
    return tasks.size();
  }

  @Override
  public boolean inLoop() {
    return true;
  }

  @Override
  public void stop() {
    if (inBatch) {
      stopAfterBatch = true;
      accepting = false;
    } else {
      end(null);
    }
  }

  @Override
  public long nanoTime() {
    return nanos;
  }

  private void batch(boolean tick) {
    if (!accepting || inBatch) {
      return;
    }
    inBatch = true;
    try {
      if (tick) {
        work.tick();
        afterInput.run();
      }
      for (int n = tasks.size(); n > 0 && !stopAfterBatch; n--) {
        tasks.poll().run();
        afterInput.run();
      }
      if (!stopAfterBatch) {
        work.endOfBatch();
      }
    } catch (RuntimeException | Error e) { // as ThreadLoop: an Error (from a store, say) ends it
      inBatch = false;
      end(e);
      return;
    }
    inBatch = false;
    if (stopAfterBatch) {
      end(null);
    }
  }

  private void end(Throwable cause) {
    if (ended) {
      return;
    }
    ended = true;
    accepting = false;
    failure = cause;
    List<Runnable> neverRun = new ArrayList<>(tasks);
    tasks.clear();
    if (work != null) {
      work.ended(cause, neverRun);
    }
  }
}
