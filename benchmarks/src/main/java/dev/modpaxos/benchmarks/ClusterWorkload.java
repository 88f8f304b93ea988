package dev.modpaxos.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The transfer workload shared by every cluster benchmark, so that modpaxos and the peers run the
 * very same loop: {@link #commitLatency} is one client with one command outstanding (sample time:
 * p50/p99), {@link #throughput64} is one client keeping {@value #OUTSTANDING} commands
 * outstanding (commands/s). Subclasses say which cluster, through {@link #open()}.
 *
 * <p>Six 4 s warm-up iterations, not the five 1 s of {@link BenchmarkDefaults}: on 2 cores a
 * cluster's throughput climbs for about 25 s while C2 compiles (Netty, gRPC, Chronicle, RocksDB),
 * for every system, so a shorter warm-up measures the compiler's progress rather than the
 * steady state a long-running server reaches (docs/BENCHMARKS.md, "Warm-up").
 */
@Warmup(iterations = 6, time = 4)
@State(Scope.Benchmark)
public abstract class ClusterWorkload extends BenchmarkDefaults {
  static final int OUTSTANDING = 64;
  static final long COMMIT_TIMEOUT_MILLIS = 30_000;

  private final Transfers transfers = new Transfers();
  private BenchCluster cluster;
  private Window window;

  /** Starts the cluster named by the subclass's parameters and waits until it commits. */
  protected abstract BenchCluster open() throws Exception;

  @Setup(Level.Trial)
  public void startCluster() throws Exception {
    cluster = open();
    commitLatency(); // a leader is elected and a command goes through before measuring
  }

  @TearDown(Level.Trial)
  public void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Setup(Level.Iteration)
  public void openWindow() {
    window = new Window(OUTSTANDING);
  }

  @TearDown(Level.Iteration)
  public void drainWindow() throws InterruptedException {
    window.drain(COMMIT_TIMEOUT_MILLIS);
  }

  /** One client, one command at a time: submit to committed-and-applied. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Object commitLatency() throws Exception {
    return cluster.submit(transfers.next()).get(COMMIT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** One client, {@value #OUTSTANDING} commands outstanding: commands committed per second. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public void throughput64() throws InterruptedException {
    window.submit(() -> cluster.submit(transfers.next()));
  }
}
