package dev.modpaxos.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.Stamp;
import dev.modpaxos.spi.RpcStats;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Helpers of the transport's real-socket tests: a bounded wait for a condition (the one place
 * polling is allowed, STYLE.md), and readers of a transport's stats and counters.
 */
final class Polling {
  /** Generous, for a loaded 2-core machine: a liveness bound, not a performance one. */
  static final long WAIT_SECONDS = 15;

  /** The stamp the transport tests send with; transports carry it unchanged (R2). */
  static final Stamp STAMP = new Stamp(Stamp.clusterFingerprint("grpc-test", List.of(1, 2, 3)), 0);

  private Polling() {}

  static void awaitTrue(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    assertThat(condition.getAsBoolean()).as(what).isTrue();
  }

  static Message accepted(int from, int to, long slot) {
    return new Message.Accepted(from, to, new Ballot(1, from), slot);
  }

  static RpcStats stats(GrpcTransport t, String type) {
    return t.rpcStats().stream().filter(s -> s.type().equals(type)).findFirst().orElseThrow();
  }

  static long counter(GrpcTransport t, TransportCounter c) {
    return t.counters().get(c);
  }
}
