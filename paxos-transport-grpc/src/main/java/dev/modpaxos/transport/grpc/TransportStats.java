package dev.modpaxos.transport.grpc;

import dev.modpaxos.protocol.MessageTypes;
import dev.modpaxos.spi.RpcStats;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * Per-message-type counters and queue waits of one {@link GrpcTransport}, and its {@link
 * TransportCounter}s. Thread-safe.
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
    final SynchronizedHistogram queuedMicros = new SynchronizedHistogram(3);
  }

  private final Map<String, Row> rows = new LinkedHashMap<>();
  private final Map<TransportCounter, AtomicLong> counters = new EnumMap<>(TransportCounter.class);

  TransportStats() {
    for (String type : MessageTypes.ALL) {
      rows.put(type, new Row());
    }
    rows.put(INVALID, new Row());
    for (TransportCounter c : TransportCounter.values()) {
      counters.put(c, new AtomicLong());
    }
  }

  /** One message of {@code type} was written on a stream after waiting {@code queuedNanos}. */
  void sent(String type, long queuedNanos) {
    Row r = row(type);
    r.sent.incrementAndGet();
    r.queuedMicros.recordValue(Math.max(0, queuedNanos / 1000));
  }

  void received(String type) {
    row(type).received.incrementAndGet();
  }

  /** One message of {@code type} was dropped or refused, for the reason {@code counter} names. */
  void error(String type, TransportCounter counter) {
    row(type).errors.incrementAndGet();
    count(counter);
  }

  void count(TransportCounter counter) {
    counters.get(counter).incrementAndGet();
  }

  long get(TransportCounter counter) {
    return counters.get(counter).get();
  }

  Map<TransportCounter, Long> counters() {
    Map<TransportCounter, Long> out = new EnumMap<>(TransportCounter.class);
    counters.forEach((c, v) -> out.put(c, v.get()));
    return Collections.unmodifiableMap(out);
  }

  List<RpcStats> snapshot() {
    List<RpcStats> out = new ArrayList<>(rows.size());
    rows.forEach(
        (type, r) -> {
          SynchronizedHistogram h = r.queuedMicros;
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
