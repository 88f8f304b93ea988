package dev.modpaxos.transport.grpc;

import static dev.modpaxos.transport.grpc.Polling.STAMP;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Message;
import dev.modpaxos.spi.RpcStats;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures, it does not test: sends one ACCEPTED at a time from node 1 to node 2 and waits for
 * node 2's transport to hand it over, over plaintext and over mutual TLS, and prints p50/p99.
 * Runs only when asked: {@code -Drtt.sends=2000} (see docs/TRANSPORT.md). No assertions.
 */
@EnabledIfSystemProperty(named = "rtt.sends", matches = "\\d+")
class RoundTripMeasurement {
  @TempDir Path dir;

  @Test
  void measure() throws Exception {
    int sends = Integer.parseInt(System.getProperty("rtt.sends"));
    TestPki pki = new TestPki(dir, "cluster");
    run("plaintext", sends, null);
    run("mutual TLS", sends, pki);
  }

  private static void run(String label, int sends, TestPki pki) throws Exception {
    Map<Integer, java.net.InetSocketAddress> members = new HashMap<>();
    members.put(1, Ports.freeLoopback());
    members.put(2, Ports.freeLoopback());
    GrpcTransport.Builder b1 = GrpcTransport.builder(1, members);
    GrpcTransport.Builder b2 = GrpcTransport.builder(2, members);
    if (pki != null) {
      b1.tls(pki.node(1));
      b2.tls(pki.node(2));
    }
    LinkedBlockingQueue<Message> handOver = new LinkedBlockingQueue<>();
    try (GrpcTransport one = b1.build(); GrpcTransport two = b2.build()) {
      one.start((stamp, m) -> {});
      two.start((stamp, m) -> handOver.add(m));
      Histogram oneWay = new Histogram(3);
      int warmup = sends; // the JIT and the connection settle first
      for (int i = 1; i <= warmup + sends; i++) {
        long start = System.nanoTime();
        one.send(STAMP, new Message.Accepted(1, 2, new Ballot(1, 1), i));
        if (handOver.poll(5, TimeUnit.SECONDS) == null) {
          System.out.printf("%s: message %d lost, stopping%n", label, i);
          return;
        }
        if (i > warmup) {
          oneWay.recordValue((System.nanoTime() - start) / 1000);
        }
      }
      RpcStats call = one.rpcStats().stream()
          .filter(s -> s.type().equals("ACCEPTED")).findFirst().orElseThrow();
      System.out.printf(
          "RTT %-10s %d sends after %d warm-up: send->peer delivered p50 %d us, p99 %d us, "
              + "mean %.0f us | queue wait (transport stats, incl. warm-up) p50 %d us, p99 %d us%n",
          label, sends, warmup, oneWay.getValueAtPercentile(50), oneWay.getValueAtPercentile(99),
          oneWay.getMean(), call.latencyMicrosP50(), call.latencyMicrosP99());
    }
  }
}
