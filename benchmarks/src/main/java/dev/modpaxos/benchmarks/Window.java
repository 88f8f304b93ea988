package dev.modpaxos.benchmarks;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Keeps up to {@code size} operations outstanding: {@link #submit} waits for a free slot, starts the
 * operation and returns; a completion frees the slot. One JMH invocation is one submit, so
 * operations/s in steady state is the system's throughput at that many outstanding. Thread-safe.
 */
final class Window {
  private final int size;
  private final Semaphore free;
  private final AtomicLong failures = new AtomicLong();
  private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();

  Window(int size) {
    this.size = size;
    this.free = new Semaphore(size);
  }

  void submit(Supplier<? extends CompletableFuture<?>> operation) throws InterruptedException {
    free.acquire();
    CompletableFuture<?> f;
    try {
      f = operation.get();
    } catch (RuntimeException e) {
      free.release();
      throw e;
    }
    f.whenComplete(
        (r, e) -> {
          if (e != null) {
            failures.incrementAndGet();
            firstFailure.compareAndSet(null, e);
          }
          free.release();
        });
  }

  /** Waits until nothing is outstanding; throws if any operation failed or did not finish. */
  void drain(long timeoutMillis) throws InterruptedException {
    if (!free.tryAcquire(size, timeoutMillis, TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(
          (size - free.availablePermits()) + " operations still outstanding after "
              + timeoutMillis + " ms");
    }
    free.release(size);
    if (failures.get() > 0) {
      throw new IllegalStateException(
          failures.get() + " operations failed, first: " + firstFailure.get(), firstFailure.get());
    }
  }
}
