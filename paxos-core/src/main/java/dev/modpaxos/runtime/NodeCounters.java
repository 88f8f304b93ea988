package dev.modpaxos.runtime;

import dev.modpaxos.protocol.MessageTypes;
import dev.modpaxos.protocol.RoundEvent;
import dev.modpaxos.spi.RpcStats;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/** A node's counters for {@link NodeMetrics}. Loop-confined, except the latency recorders. */
final class NodeCounters {
  private long preparesStarted;
  private long fastRoundsStarted;
  private long roundsWon;
  private long roundsLost;
  private long blocksCommitted;
  // Invariant: -1 unless a round of this node is under way.
  private long roundStartNanos = -1;
  private final Map<String, AtomicLong> sent = new HashMap<>();
  private final Map<String, AtomicLong> received = new HashMap<>();
  private final LatencyRecorder roundLatency = new LatencyRecorder();
  private final LatencyRecorder commitLatency = new LatencyRecorder();

  NodeCounters() {
    for (String t : MessageTypes.ALL) {
      sent.put(t, new AtomicLong());
      received.put(t, new AtomicLong());
    }
  }

  void sent(String type) {
    sent.get(type).incrementAndGet();
  }

  void received(String type) {
    received.get(type).incrementAndGet();
  }

  void committedEntry(long latencyNanos) {
    commitLatency.recordNanos(latencyNanos);
  }

  void roundEvent(RoundEvent ev, long nowNanos) {
    switch (ev.kind()) {
      case PREPARE_STARTED -> {
        preparesStarted++;
        if (roundStartNanos < 0) {
          roundStartNanos = nowNanos;
        }
      }
      case ACCEPT_STARTED -> {
        if (roundStartNanos < 0) {
          fastRoundsStarted++;
          roundStartNanos = nowNanos;
        }
      }
      case PREPARE_WON -> roundsWon++;
      case COMMITTED -> {
        blocksCommitted++;
        if (roundStartNanos >= 0) {
          roundLatency.recordNanos(nowNanos - roundStartNanos);
        }
        roundStartNanos = -1;
      }
      case LOST -> roundsLost++;
    }
  }

  NodeMetrics snapshot(
      int nodeId, long committed, long chosen, int local, long rejectedForeign,
      List<RpcStats> rpc) {
    Map<String, Long> s = new TreeMap<>();
    Map<String, Long> r = new TreeMap<>();
    sent.forEach((k, v) -> s.put(k, v.get()));
    received.forEach((k, v) -> r.put(k, v.get()));
    return new NodeMetrics(
        nodeId, committed, chosen, local, preparesStarted, fastRoundsStarted, roundsWon,
        roundsLost, blocksCommitted, rejectedForeign, s, r, roundLatency.summary(),
        commitLatency.summary(), rpc);
  }
}
