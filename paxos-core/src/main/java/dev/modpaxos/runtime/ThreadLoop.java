package dev.modpaxos.runtime;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The production {@link NodeLoop}: one daemon thread, a task queue and ticks from {@link
 * System#nanoTime()}. Each turn it waits for a task or the next tick, fires the tick if it is due,
 * runs up to {@value #DRAIN_MAX} queued tasks and ends the batch, so that work arriving faster
 * than one batch takes is carried out together. Thread-safe.
 *
 * <p>Queueing and stopping share one lock, so a task is either queued before the loop stops
 * accepting, and then runs or is handed back as never run, or refused.
 */
final class ThreadLoop implements NodeLoop {
  static final int DRAIN_MAX = 4096;
  private static final long STOP_WAIT_MILLIS = 10_000;
  // A loop this many ticks behind skips them rather than fire them in a burst.
  private static final int TICKS_BEHIND_MAX = 10;

  private final String name;
  private final long tickNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition workArrived = lock.newCondition();
  // Guarded by lock.
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  // Guarded by lock. Invariant: false before start() and once stopping.
  private boolean accepting;
  private volatile boolean stopping;
  private volatile int queued;
  private volatile Thread thread;

  ThreadLoop(String name, long tickNanos) {
    this.name = name;
    this.tickNanos = tickNanos;
  }

  @Override
  public void start(Work work) {
    Thread t = new Thread(() -> run(work), name);
    t.setDaemon(true);
    lock.lock();
    try {
      if (thread != null || stopping) {
        throw new IllegalStateException(name + " was already started");
      }
      thread = t;
      accepting = true;
    } finally {
      lock.unlock();
    }
    t.start();
  }

  @Override
  public boolean execute(Runnable task) {
    lock.lock();
    try {
      if (!accepting) {
        return false;
      }
      tasks.add(task);
      queued = tasks.size();
      workArrived.signal();
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int queued() {
    return queued;
  }

  @Override
  public boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  @Override
  public void stop() {
    lock.lock();
    try {
      accepting = false;
      stopping = true;
      workArrived.signal();
    } finally {
      lock.unlock();
    }
    Thread t = thread;
    if (t == null || t == Thread.currentThread()) {
      return;
    }
    try {
      t.join(STOP_WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  private void run(Work work) {
    List<Runnable> batch = new ArrayList<>();
    int next = 0;
    Throwable failure = null;
    long nextTick = System.nanoTime() + tickNanos;
    try {
      while (!stopping) {
        batch.clear();
        next = 0;
        takeBatch(batch, nextTick);
        if (stopping) {
          break;
        }
        long now = System.nanoTime();
        if (now >= nextTick) {
          work.tick();
          nextTick += tickNanos;
          if (now - nextTick > TICKS_BEHIND_MAX * tickNanos) {
            nextTick = now + tickNanos;
          }
        }
        while (next < batch.size()) {
          batch.get(next++).run();
        }
        work.endOfBatch();
      }
    } catch (InterruptedException e) {
      failure = new IllegalStateException(name + " was interrupted", e);
    } catch (RuntimeException | Error e) {
      failure = e;
    }
    List<Runnable> neverRun = new ArrayList<>(batch.subList(next, batch.size()));
    lock.lock();
    try {
      accepting = false;
      stopping = true;
      neverRun.addAll(tasks);
      tasks.clear();
      queued = 0;
    } finally {
      lock.unlock();
    }
    work.ended(failure, neverRun);
  }

  /** Waits for a task, the next tick or stop(), then takes up to DRAIN_MAX queued tasks. */
  private void takeBatch(List<Runnable> batch, long nextTick) throws InterruptedException {
    lock.lock();
    try {
      long wait = nextTick - System.nanoTime();
      while (tasks.isEmpty() && !stopping && wait > 0) {
        wait = workArrived.awaitNanos(wait);
      }
      for (int i = 0; i < DRAIN_MAX && !tasks.isEmpty(); i++) {
        batch.add(tasks.poll());
      }
      queued = tasks.size();
    } finally {
      lock.unlock();
    }
  }
}
