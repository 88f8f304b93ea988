package dev.modpaxos.metrics.micrometer;

import dev.modpaxos.protocol.MessageTypes;
import dev.modpaxos.runtime.LatencySummary;
import dev.modpaxos.runtime.NodeMetrics;
import dev.modpaxos.runtime.PaxosNode;
import dev.modpaxos.spi.RpcStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Binds one {@link PaxosNode}'s {@link NodeMetrics} (and the transport's {@link RpcStats} in it)
 * to a Micrometer {@link MeterRegistry}. Every meter carries the tag {@code node}; per-type meters
 * add {@code type} (the message type, as in {@code Message.type()}) and {@code direction}; rounds
 * add {@code outcome} and {@code phase}. The names are listed in docs/METRICS.md. Thread-safe.
 *
 * <p>Meters read the node when the registry asks (a scrape): one {@link PaxosNode#metrics()}
 * snapshot serves every meter for {@link #SNAPSHOT_MAX_AGE_MILLIS}. While the node is not running
 * (or before its first start), {@code modpaxos.node.up} is 0, gauges read NaN, and counters keep
 * their last value; a restarted node's counters start again at 0, as a restarted process's do.
 *
 * <pre>{@code
 * PaxosNodeMetrics.of(node).bindTo(registry);                  // a node that never restarts
 * new PaxosNodeMetrics(3, () -> currentNodeOf3).bindTo(registry); // one that is restarted
 * }</pre>
 */
public final class PaxosNodeMetrics implements MeterBinder {
  /** How long one snapshot of the node serves the meters of a scrape. */
  public static final long SNAPSHOT_MAX_AGE_MILLIS = 200;

  private static final String PREFIX = "modpaxos.";

  private final int nodeId;
  private final Supplier<PaxosNode> node;
  private final Tags tags;
  private final long snapshotMaxAgeNanos;
  // The last snapshot read; null until the node was first read running.
  private Reading last;

  /** A reading of the node: its metrics, whether it ran, and when it was taken. */
  private record Reading(PaxosNode node, NodeMetrics metrics, PaxosNode.SnapshotCounts snapshots,
      int inFlight, boolean up, long atNanos) {}

  /**
   * @param nodeId the member id, the value of the {@code node} tag
   * @param node the node as it is now (a restarted node is a new instance), or null while none
   */
  public PaxosNodeMetrics(int nodeId, Supplier<PaxosNode> node) {
    this(nodeId, node, Tags.empty(), TimeUnit.MILLISECONDS.toNanos(SNAPSHOT_MAX_AGE_MILLIS));
  }

  /** Package-private, for tests: {@code snapshotMaxAgeNanos} 0 reads the node every time. */
  PaxosNodeMetrics(int nodeId, Supplier<PaxosNode> node, Tags tags, long snapshotMaxAgeNanos) {
    this.nodeId = nodeId;
    this.node = Objects.requireNonNull(node, "node");
    this.tags = Tags.of("node", String.valueOf(nodeId)).and(tags);
    this.snapshotMaxAgeNanos = snapshotMaxAgeNanos;
  }

  /**
   * A binder for a node that is never replaced.
   *
   * @param node the node whose metrics to bind
   * @return the binder
   */
  public static PaxosNodeMetrics of(PaxosNode node) {
    Objects.requireNonNull(node, "node");
    return new PaxosNodeMetrics(node.nodeId(), () -> node);
  }

  /**
   * The same binder with {@code extra} tags on every meter, e.g. a cluster name.
   *
   * @param extra tags added to every meter
   * @return a new binder; this one is unchanged
   */
  public PaxosNodeMetrics withTags(Iterable<Tag> extra) {
    return new PaxosNodeMetrics(nodeId, node, tags.and(extra), snapshotMaxAgeNanos);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    // The registry holds this gauge, and the gauge holds the binder strongly: the function
    // meters below only hold it weakly.
    Gauge.builder(PREFIX + "node.up", this, b -> b.read().up() ? 1 : 0)
        .tags(tags).strongReference(true)
        .description("1 while the node runs, 0 while it is stopped")
        .register(registry);
    gauge(registry, "committed.slot", "the node's last committed slot", m -> m.committedSlot());
    counter(registry, "entries.chosen", "entries in the blocks this node has committed",
        Tags.empty(), m -> m.chosenEntries());
    gauge(registry, "block.entries.mean", "entries per chosen block, on average",
        m -> m.committedSlot() == 0 ? 0 : (double) m.chosenEntries() / m.committedSlot());
    gauge(registry, "local.log.size", "entries in the local log, not chosen yet",
        m -> m.localLogSize());
    Gauge.builder(PREFIX + "submits.in.flight", this,
            b -> b.read().up() ? b.read().inFlight() : Double.NaN)
        .tags(tags).description("submits accepted and not chosen yet").register(registry);
    rounds(registry);
    for (String type : MessageTypes.ALL) {
      messages(registry, type);
      rpc(registry, type);
    }
    counter(registry, "catchups", "catch-up requests sent and catch-up replies received",
        Tags.of("direction", "requested"), m -> count(m.messagesSent(), "CATCHUP_REQUEST"));
    counter(registry, "catchups", "catch-up requests sent and catch-up replies received",
        Tags.of("direction", "received"), m -> count(m.messagesReceived(), "CATCHUP"));
    counter(registry, "rejected.foreign", "messages dropped because their stamp names another"
        + " cluster (R2)", Tags.empty(), m -> m.rejectedForeign());
    snapshots(registry);
    latency(registry, "commit.latency", "per entry, from submit to chosen and applied",
        NodeMetrics::commitLatency);
    latency(registry, "round.latency", "from starting a round to its block being chosen",
        NodeMetrics::roundLatency);
  }

  private void rounds(MeterRegistry registry) {
    String help = "rounds of this node by outcome: started (prepare, or accept on the fast path),"
        + " won (a majority promised), lost (rejected, timed out or overtaken), committed";
    counter(registry, "rounds", help, Tags.of("outcome", "started", "phase", "prepare"),
        m -> m.preparesStarted());
    counter(registry, "rounds", help, Tags.of("outcome", "started", "phase", "accept"),
        m -> m.fastRoundsStarted());
    counter(registry, "rounds", help, Tags.of("outcome", "won", "phase", "prepare"),
        m -> m.roundsWon());
    counter(registry, "rounds", help, Tags.of("outcome", "lost", "phase", "any"),
        m -> m.roundsLost());
    counter(registry, "rounds", help, Tags.of("outcome", "committed", "phase", "accept"),
        m -> m.blocksCommitted());
  }

  /** R20: snapshots this node took, installed from a peer, and discarded (bad checksum). */
  private void snapshots(MeterRegistry registry) {
    String help = "snapshots of this node by outcome: taken (written by the node), installed"
        + " (fetched from a peer), discarded (a fetch that failed its checksum)";
    snapshot(registry, help, "taken", PaxosNode.SnapshotCounts::taken);
    snapshot(registry, help, "installed", PaxosNode.SnapshotCounts::installed);
    snapshot(registry, help, "discarded", PaxosNode.SnapshotCounts::discarded);
  }

  private void snapshot(MeterRegistry registry, String help, String outcome,
      ToDoubleFunction<PaxosNode.SnapshotCounts> f) {
    FunctionCounter.builder(PREFIX + "snapshots", this, b -> {
          PaxosNode.SnapshotCounts c = b.read().snapshots();
          return c == null ? 0 : f.applyAsDouble(c);
        })
        .tags(tags).tag("outcome", outcome).description(help).register(registry);
  }

  private void messages(MeterRegistry registry, String type) {
    String help = "protocol messages the node handed to the transport (sent) or was delivered";
    counter(registry, "messages", help, Tags.of("type", type, "direction", "sent"),
        m -> count(m.messagesSent(), type));
    counter(registry, "messages", help, Tags.of("type", type, "direction", "received"),
        m -> count(m.messagesReceived(), type));
  }

  private void rpc(MeterRegistry registry, String type) {
    String help = "the transport's own per-type counts (NaN where it keeps none)";
    counter(registry, "rpc.messages", help, Tags.of("type", type, "direction", "sent"),
        m -> rpcOf(m, type, RpcStats::sent));
    counter(registry, "rpc.messages", help, Tags.of("type", type, "direction", "received"),
        m -> rpcOf(m, type, RpcStats::received));
    counter(registry, "rpc.errors", "sends that failed or inbound messages rejected",
        Tags.of("type", type), m -> rpcOf(m, type, RpcStats::errors));
    String latencyHelp = "the transport's send latency (gRPC: time queued before written)";
    FunctionTimer.builder(PREFIX + "rpc.latency", this,
            b -> (long) metricOr(b, 0, m -> rpcOf(m, type, RpcStats::sent)),
            b -> metricOr(b, 0, m -> rpcOf(m, type, r -> r.sent() * r.latencyMicrosAvg())),
            TimeUnit.MICROSECONDS)
        .tags(tags).tags("type", type).description(latencyHelp).register(registry);
    percentile(registry, "rpc.latency.percentile", latencyHelp, Tags.of("type", type), "p50",
        m -> rpcOf(m, type, RpcStats::latencyMicrosP50));
    percentile(registry, "rpc.latency.percentile", latencyHelp, Tags.of("type", type), "p99",
        m -> rpcOf(m, type, RpcStats::latencyMicrosP99));
  }

  private void latency(MeterRegistry registry, String name, String help,
      Function<NodeMetrics, LatencySummary> of) {
    FunctionTimer.builder(PREFIX + name, this,
            b -> (long) metricOr(b, 0, m -> of.apply(m).count()),
            b -> metricOr(b, 0, m -> of.apply(m).count() * of.apply(m).avgMicros()),
            TimeUnit.MICROSECONDS)
        .tags(tags).description(help).register(registry);
    String pHelp = help + "; over the node's last 8192 samples";
    percentile(registry, name + ".percentile", pHelp, Tags.empty(), "p50",
        m -> of.apply(m).p50Micros());
    percentile(registry, name + ".percentile", pHelp, Tags.empty(), "p99",
        m -> of.apply(m).p99Micros());
  }

  private void gauge(MeterRegistry registry, String name, String help,
      ToDoubleFunction<NodeMetrics> f) {
    Gauge.builder(PREFIX + name, this, b -> b.read().up() ? f.applyAsDouble(b.read().metrics())
            : Double.NaN)
        .tags(tags).description(help).register(registry);
  }

  private void counter(MeterRegistry registry, String name, String help, Tags extra,
      ToDoubleFunction<NodeMetrics> f) {
    FunctionCounter.builder(PREFIX + name, this, b -> metricOr(b, 0, f))
        .tags(tags).tags(extra).description(help).register(registry);
  }

  private void percentile(MeterRegistry registry, String name, String help, Tags extra,
      String percentile, ToDoubleFunction<NodeMetrics> micros) {
    TimeGauge.builder(PREFIX + name, this, TimeUnit.MICROSECONDS,
            b -> b.read().up() ? micros.applyAsDouble(b.read().metrics()) : Double.NaN)
        .tags(tags).tags(extra).tag("percentile", percentile).description(help)
        .register(registry);
  }

  /** {@code f} of the last snapshot (kept while the node is down), or {@code none} before any. */
  private static double metricOr(PaxosNodeMetrics b, double none, ToDoubleFunction<NodeMetrics> f) {
    Reading r = b.read();
    return r.metrics() == null ? none : f.applyAsDouble(r.metrics());
  }

  private static double count(Map<String, Long> byType, String type) {
    Long v = byType.get(type);
    return v == null ? 0 : v;
  }

  private static double rpcOf(NodeMetrics m, String type, ToDoubleFunction<RpcStats> f) {
    for (RpcStats r : m.rpc()) {
      if (r.type().equals(type)) {
        return f.applyAsDouble(r);
      }
    }
    return Double.NaN;
  }

  /**
   * The current reading: the last one if it is fresh and the node is the same and as running as
   * it was (a stop or restart shows at once), else a new snapshot of the node.
   */
  private synchronized Reading read() {
    long now = System.nanoTime();
    PaxosNode n = node.get();
    boolean running = n != null && n.isRunning();
    if (last != null && last.node() == n && last.up() == running
        && now - last.atNanos() < snapshotMaxAgeNanos) {
      return last;
    }
    NodeMetrics kept = last == null ? null : last.metrics();
    PaxosNode.SnapshotCounts keptSnapshots = last == null ? null : last.snapshots();
    Reading r;
    if (!running) {
      r = new Reading(n, kept, keptSnapshots, 0, false, now);
    } else {
      try {
        r = new Reading(n, n.metrics(), n.snapshotCounts(), n.inFlightSubmits(), true, now);
      } catch (RuntimeException e) {
        r = new Reading(n, kept, keptSnapshots, 0, false, now); // it stopped while being read
      }
    }
    last = r;
    return r;
  }
}
