package dev.modpaxos.transport.grpc;

import dev.modpaxos.protocol.MessageTypes;
import dev.modpaxos.spi.RpcStats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * Per-message-type counters and send latencies of one {@link GrpcTransport}. Thread-safe.
 *
 * <p>Besides the protocol's types there is one row, {@link #INVALID}, for inbound frames whose
 * type is unknown because they were rejected before decoding (unparseable, oversized, from an
 * unauthenticated or non-member peer).
 */
final class TransportStats {
  /** The row for rejected inbound frames of unknown type. */
  static final String INVALID = "INVALID";

  private static final class Row {
    final AtomicLong sent = new AtomicLong();
    final AtomicLong received = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final SynchronizedHistogram latencyMicros = new SynchronizedHistogram(3);
  }

  private final Map<String, Row> rows = new LinkedHashMap<>();

  TransportStats() {
    for (String type : MessageTypes.ALL) {
      rows.put(type, new Row());
    }
    rows.put(INVALID, new Row());
  }

  void sent(String type) {
    row(type).sent.incrementAndGet();
  }

  void received(String type) {
    row(type).received.incrementAndGet();
  }

  void error(String type) {
    row(type).errors.incrementAndGet();
  }

  void latencyNanos(String type, long nanos) {
    row(type).latencyMicros.recordValue(Math.max(0, nanos / 1000));
  }

  /** Errors over every type. */
  long errorsTotal() {
    return rows.values().stream().mapToLong(r -> r.errors.get()).sum();
  }

  List<RpcStats> snapshot() {
    List<RpcStats> out = new ArrayList<>(rows.size());
    rows.forEach(
        (type, r) -> {
          SynchronizedHistogram h = r.latencyMicros;
          boolean empty = h.getTotalCount() == 0;
          out.add(
              new RpcStats(
                  type,
                  r.sent.get(),
                  r.received.get(),
                  r.errors.get(),
                  empty ? 0 : h.getMean(),
                  empty ? 0 : h.getValueAtPercentile(50),
                  empty ? 0 : h.getValueAtPercentile(99)));
        });
    return out;
  }

  private Row row(String type) {
    Row r = rows.get(type);
    return r != null ? r : rows.get(INVALID);
  }
}
