package dev.modpaxos.runtime;

import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.Replica;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.protocol.Stamp;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * R2: logs messages of another cluster as one WARN line, at most once per second, with how many
 * were held back since; the replica counts them all. Loop-confined.
 */
final class ForeignLog {
  private static final Logger log = LoggerFactory.getLogger(PaxosNode.class);
  private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final int self;
  private final String ours;
  private final LongSupplier nanoTime;
  private boolean logged;
  private long lastNanos;
  private long suppressed;

  ForeignLog(int self, ReplicaConfig config, LongSupplier nanoTime) {
    this.self = self;
    this.ours = Stamp.hex(Stamp.clusterFingerprint(config)) + " (cluster id \""
        + config.clusterId() + "\", founding members " + config.members() + ")";
    this.nanoTime = nanoTime;
  }

  void rejected(Stamp stamp, Message m, Replica replica) {
    long now = nanoTime.getAsLong();
    if (logged && now - lastNanos < INTERVAL_NANOS) {
      suppressed++;
      return;
    }
    String held = suppressed == 0 ? "" : " (" + suppressed + " more held back since the last)";
    log.warn("node {} rejected {} from node {} of another cluster: its cluster fingerprint is {},"
            + " this node's is {}; {} rejected so far; check clusterId and members on both{}",
        self, m.type(), m.from(), stamp.clusterHex(), ours, replica.rejectedForeign(), held);
    logged = true;
    lastNanos = now;
    suppressed = 0;
  }
}
