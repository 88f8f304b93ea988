package dev.modpaxos.runtime;

import java.util.List;

/**
 * Decides when a {@link PaxosNode}'s work runs: on which thread, which queued tasks form one
 * batch, and when a tick fires. The node says what a tick, a task and the end of a batch do; the
 * loop runs them one at a time, never concurrently. Production uses {@link ThreadLoop} (one
 * thread, the system clock); the simulator injects a deterministic loop that runs nothing until
 * it is told to. Package-private: a seam for tests, not a user-facing SPI.
 */
interface NodeLoop {

  /** What the loop runs, all on its own thread. */
  interface Work {
    /** One tick of logical time has passed. */
    void tick();

    /** A batch of ticks and tasks has run: carry out what they caused (one {@code Ready}). */
    void endOfBatch();

    /**
     * The loop has ended, after {@link #stop()} ({@code failure} null) or because a tick, task or
     * end of batch threw {@code failure}. {@code neverRun} holds every task that {@link #execute}
     * accepted but that will never run; no task is accepted any more. Called once.
     */
    void ended(Throwable failure, List<Runnable> neverRun);
  }

  /** Starts accepting tasks and running {@code work}. Called once. */
  void start(Work work);

  /**
   * Queues {@code task} for the loop's next batch. Never blocks. Returns false, and keeps nothing,
   * if the loop is not running: before {@link #start}, after {@link #stop} or after a failure.
   * A task for which this returned true either runs or is handed to {@link Work#ended}.
   */
  boolean execute(Runnable task);

  /** Tasks accepted and not yet run. */
  int queued();

  /** True if the calling thread is the loop's: work may then be done directly. */
  boolean inLoop();

  /**
   * Stops accepting tasks and ends the loop after its current batch. Waits a bounded time for it
   * to end, except when called on the loop itself. Idempotent.
   */
  void stop();

  /** The clock for latency metrics, in nanoseconds. */
  long nanoTime();
}
