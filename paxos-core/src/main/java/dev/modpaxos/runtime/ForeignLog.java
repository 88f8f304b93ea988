package dev.modpaxos.runtime;

import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.protocol.Stamp;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * R2: logs messages of another cluster as one WARN line (no stack trace), at most once per second,
 * with how many were held back since; the replica counts them all. Its own logger, so that it can
 * be tuned apart from the runtime's. Loop-confined.
 */
final class ForeignLog {
  private static final Logger log = LoggerFactory.getLogger(ForeignLog.class);
  private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final int self;
  private final String ours;
  private final LongSupplier nanoTime;
  private final Consumer<String> sink;
  private boolean logged;
  private long lastNanos;
  private long suppressed;

  ForeignLog(int self, ReplicaConfig config, LongSupplier nanoTime) {
    this(self, config, nanoTime, log::warn);
  }

  ForeignLog(int self, ReplicaConfig config, LongSupplier nanoTime, Consumer<String> sink) {
    this.self = self;
    this.ours = Stamp.hex(Stamp.clusterFingerprint(config)) + " (cluster id \""
        + config.clusterId() + "\", founding members " + config.members() + ")";
    this.nanoTime = nanoTime;
    this.sink = sink;
  }

  /** One message of another cluster was dropped; {@code total} so far, this one included. */
  void rejected(Stamp stamp, Message m, long total) {
    long now = nanoTime.getAsLong();
    if (logged && now - lastNanos < INTERVAL_NANOS) {
      suppressed++;
      return;
    }
    String held = suppressed == 0 ? "" : " (" + suppressed + " more held back since the last)";
    sink.accept("node " + self + " rejected " + m.type() + " from node " + m.from()
        + " of another cluster: its cluster fingerprint is " + stamp.clusterHex()
        + ", this node's is " + ours + "; " + total + " rejected so far; check clusterId and"
        + " members on both" + held);
    logged = true;
    lastNanos = now;
    suppressed = 0;
  }
}
