package dev.modpaxos.benchmarks;

import dev.modpaxos.bank.Cluster;
import dev.modpaxos.bank.CsvSets;
import dev.modpaxos.bank.InJvmCluster;
import dev.modpaxos.bank.ServerHandle;
import dev.modpaxos.bank.Servers;
import dev.modpaxos.bank.SetRunner;
import dev.modpaxos.bank.TransferResult.Status;
import dev.modpaxos.bank.TransferSet;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The bank example end to end on its embedded backend ({@link EmbeddedBankBackend}: gRPC on
 * 127.0.0.1, Chronicle stores in a temp folder), five servers in this JVM as {@code bank run}
 * starts them. Each iteration starts a fresh cluster; with no warm-up the first iteration is the
 * cold one (a fresh JVM, as a user's first run), so the maximum is the cold figure and p50 the
 * warm one.
 *
 * <ul>
 *   <li>{@link #startup5}: {@code InJvmCluster.start} of S1..S5, i.e. every server's Chronicle
 *       store opened and loaded, its node started and its gRPC server bound (channels to peers
 *       dial in the background).
 *   <li>{@link #officialCsv}: the bundled official CSV (8 sets, 34 transfers) through the bank's
 *       {@link SetRunner}, on a cluster started before the clock starts. Every {@code transfer}
 *       call is timed and sorted by {@link TimedServer} (local, consensus, pending); the counts
 *       and summed latencies come out as JMH secondary results, summed over the iterations.
 * </ul>
 */
@Warmup(iterations = 0)
@Measurement(iterations = 10)
public class BankBenchmark extends BenchmarkDefaults {
  /** The bank launcher's 10 s catch-up limit. */
  static final long CATCH_UP_TIMEOUT_MILLIS = 10_000;
  static final String OFFICIAL_CSV = "/lab1_Test.csv";

  /** A backend with its own ports and folder per iteration; the benchmark starts the cluster. */
  @State(Scope.Thread)
  public static class Fresh {
    /**
     * The servers' tick, the bank launcher's {@code --tick-millis}: 10 is its default and the
     * figure the targets are judged on; 2 is a what-if. The protocol's timeouts count ticks
     * (round timeout 20, promise wait 2, 4 attempts before a round reports no majority).
     */
    @Param({"10", "2"})
    long tickMillis;

    EmbeddedBankBackend backend;
    Cluster cluster;

    @Setup(Level.Iteration)
    public void open() {
      backend = new EmbeddedBankBackend();
    }

    @TearDown(Level.Iteration)
    public void close() {
      if (cluster != null) {
        cluster.close();
        cluster = null;
      }
      backend.close();
    }
  }

  /** A started cluster per iteration, every server wrapped in a {@link TimedServer}. */
  @State(Scope.Thread)
  public static class Started extends Fresh {
    final List<TransferSet> sets = officialSets();
    TimedServer.Tally tally;

    @Setup(Level.Iteration)
    public void start() {
      tally = new TimedServer.Tally();
      Cluster plain = InJvmCluster.start(backend, tickMillis, CATCH_UP_TIMEOUT_MILLIS);
      List<ServerHandle> timed = new ArrayList<>();
      for (int id : Servers.IDS) {
        timed.add(new TimedServer(plain.server(id), tally));
      }
      cluster = new Cluster(timed, CATCH_UP_TIMEOUT_MILLIS, plain.description());
    }
  }

  /**
   * Secondary results of {@link #officialCsv}, summed over the iterations: transfers per kind,
   * their summed latency in microseconds, and how the run ended.
   */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class TransferCounters {
    public long localTransfers;
    public long localMicrosTotal;
    public long consensusTransfers;
    public long consensusMicrosTotal;
    public long pendingCalls;
    public long pendingMicrosTotal;
    public long executedAtEnd;
    public long pendingAtEnd;

    @Setup(Level.Iteration)
    public void reset() {
      localTransfers = localMicrosTotal = consensusTransfers = consensusMicrosTotal = 0;
      pendingCalls = pendingMicrosTotal = executedAtEnd = pendingAtEnd = 0;
    }

    void record(TimedServer.Tally t, List<SetRunner.Tracked> tracked) {
      localTransfers = t.local;
      localMicrosTotal = TimeUnit.NANOSECONDS.toMicros(t.localNanos);
      consensusTransfers = t.consensus;
      consensusMicrosTotal = TimeUnit.NANOSECONDS.toMicros(t.consensusNanos);
      pendingCalls = t.pending;
      pendingMicrosTotal = TimeUnit.NANOSECONDS.toMicros(t.pendingNanos);
      executedAtEnd = tracked.stream().filter(x -> x.status() == Status.EXECUTED).count();
      pendingAtEnd = tracked.stream().filter(x -> x.status() == Status.PENDING).count();
    }
  }

  /** Start-up of a 5-server cluster on fresh stores. */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public Cluster startup5(Fresh f) {
    f.cluster = InJvmCluster.start(f.backend, f.tickMillis, CATCH_UP_TIMEOUT_MILLIS);
    return f.cluster;
  }

  /** The official CSV, all eight sets, on a started cluster. */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public List<SetRunner.SetOutcome> officialCsv(Started s, TransferCounters counters) {
    SetRunner runner = new SetRunner(s.cluster);
    for (TransferSet set : s.sets) {
      runner.run(set);
    }
    counters.record(s.tally, runner.tracked());
    return runner.outcomes();
  }

  static List<TransferSet> officialSets() {
    try (InputStream in = BankBenchmark.class.getResourceAsStream(OFFICIAL_CSV)) {
      if (in == null) {
        throw new IllegalStateException(OFFICIAL_CSV + " is missing from the classpath");
      }
      CsvSets.Parsed p = CsvSets.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), 0);
      if (!p.allProblems().isEmpty()) {
        throw new IllegalStateException("the official CSV has problems: " + p.allProblems());
      }
      return p.sets();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
