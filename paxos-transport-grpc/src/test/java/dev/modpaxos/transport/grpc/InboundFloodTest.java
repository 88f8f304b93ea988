package dev.modpaxos.transport.grpc;

import static dev.modpaxos.transport.grpc.Polling.awaitTrue;
import static dev.modpaxos.transport.grpc.Polling.counter;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.modpaxos.protocol.Message;
import dev.modpaxos.transport.grpc.internal.wire.Wire.Ack;
import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A flood of bad input on real sockets (127.0.0.1): 500 connections and streams that are not
 * HTTP/2, carry oversized or malformed batches, or hold a certificate that names no member. Every
 * one is counted where the transport can tell, and the log stays bounded: at most one line per
 * second from each throttled source (each transport's rejections and gRPC's own server noise),
 * with no stack trace anywhere, and nothing reaches java.util.logging's handlers.
 */
class InboundFloodTest {
  private static final int EACH = 100;
  // Throttled WARN sources that bad input can reach: each transport's rejections, and gRPC's
  // server noise (one per process).
  private static final int THROTTLED_SOURCES = 3;

  @TempDir Path dir;
  private final Map<Integer, InetSocketAddress> members = new HashMap<>();
  private final List<GrpcTransport> started = new ArrayList<>();
  private final ListAppender<ILoggingEvent> events = new ListAppender<>();
  private final List<LogRecord> julRecords = new CopyOnWriteArrayList<>();
  private final Handler julHandler = new Handler() {
    @Override
    public void publish(LogRecord r) {
      if (r.getLevel().intValue() >= java.util.logging.Level.INFO.intValue()) {
        julRecords.add(r);
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  InboundFloodTest() {
    for (int id = 1; id <= 3; id++) {
      members.put(id, Ports.freeLoopback());
    }
  }

  @BeforeEach
  void listen() {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    events.setContext(ctx);
    events.start();
    ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(events);
    java.util.logging.Logger.getLogger("").addHandler(julHandler);
  }

  @AfterEach
  void stopListening() {
    started.forEach(GrpcTransport::close);
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(events);
    java.util.logging.Logger.getLogger("").removeHandler(julHandler);
  }

  @Test
  void fiveHundredBadStreamsAreCountedAndLogABoundedNumberOfOneLineWarnings() throws Exception {
    TestPki pki = new TestPki(dir, "cluster");
    long startNanos = System.nanoTime();
    GrpcTransport plain = start(GrpcTransport.builder(1, members).maxInboundMessageBytes(1024));
    Map<Integer, InetSocketAddress> tlsMembers = new HashMap<>(members);
    tlsMembers.put(1, Ports.freeLoopback());
    GrpcTransport tls = start(GrpcTransport.builder(1, tlsMembers).tls(pki.node(1)));
    TlsConfig driver = pki.certificate("driver", "driver"); // CA-signed, names no member
    ChannelCredentials plaintext = InsecureChannelCredentials.create();
    ChannelCredentials notAMember = TlsChannelCredentials.newBuilder()
        .trustManager(driver.caCertFile().toFile())
        .keyManager(driver.certChainFile().toFile(), driver.privateKeyFile().toFile()).build();
    for (int i = 0; i < EACH; i++) {
      http1Request(members.get(1)); // not HTTP/2: gRPC logged "Transport failed" with a trace
      stream(members.get(1), plaintext, new byte[4096]); // over maxInboundMessageBytes
      stream(members.get(1), plaintext, new byte[] {0x0a, 0x7f}); // a batch cut short
      http1Request(tlsMembers.get(1)); // not TLS
      stream(tlsMembers.get(1), notAMember, new byte[] {0x0a, 0x00});
    }
    awaitTrue(() -> counter(plain, TransportCounter.REJECTED_OVERSIZED) == EACH,
        "every oversized frame is counted");
    awaitTrue(() -> counter(plain, TransportCounter.REJECTED_MALFORMED) == EACH,
        "every malformed batch is counted");
    awaitTrue(() -> counter(tls, TransportCounter.REJECTED_UNAUTHORIZED) == EACH,
        "every stream without a member's certificate is refused and counted");
    started.forEach(GrpcTransport::close);
    double seconds = (System.nanoTime() - startNanos) / 1e9;

    List<ILoggingEvent> lines = List.copyOf(events.list);
    List<String> all = new ArrayList<>();
    lines.forEach(e -> all.add(e.getFormattedMessage()));
    julRecords.forEach(r -> all.add("JUL " + r.getLoggerName() + ": " + r.getMessage()));
    long bound = 4 + THROTTLED_SOURCES * ((long) Math.ceil(seconds) + 1); // + start, close lines
    assertThat(all.size())
        .as("log lines (slf4j and JUL) for %d bad streams in %.1f s (bound %d), first: %s",
            5 * EACH, seconds, bound, all.stream().limit(5).toList())
        .isLessThanOrEqualTo((int) bound);
    assertThat(julRecords).as("nothing reaches java.util.logging's handlers (the console)")
        .extracting(LogRecord::getMessage).isEmpty();
    assertThat(lines).as("no stack traces").allMatch(e -> e.getThrowableProxy() == null);
    assertThat(lines).filteredOn(e -> e.getLevel() == Level.WARN)
        .extracting(ILoggingEvent::getFormattedMessage)
        .allMatch(m -> m.contains("rejected inbound") && !m.contains("\n"))
        .anyMatch(m -> m.contains("frame refused, stream ended"))
        .anyMatch(m -> m.contains("gRPC server rejected inbound connection: Transport failed"));
  }

  private GrpcTransport start(GrpcTransport.Builder b) {
    GrpcTransport t = b.build();
    started.add(t);
    ConcurrentLinkedQueue<Message> inbox = new ConcurrentLinkedQueue<>();
    t.start((stamp, m) -> inbox.add(m));
    return t;
  }

  /** One connection that speaks HTTP/1.1, read until the server closes it. */
  private static void http1Request(InetSocketAddress at) throws IOException {
    try (Socket s = new Socket(at.getAddress(), at.getPort())) {
      s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(Polling.WAIT_SECONDS));
      OutputStream out = s.getOutputStream();
      out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      while (in.read(new byte[256]) >= 0) {
        // until closed
      }
    } catch (IOException e) {
      // reset by the server: as good as closed
    }
  }

  /** One stream on its own connection carrying {@code batch}, waited for until it ends. */
  private static void stream(InetSocketAddress at, ChannelCredentials creds, byte[] batch)
      throws InterruptedException {
    ManagedChannel ch =
        NettyChannelBuilder.forAddress(at, creds).overrideAuthority("node-1").build();
    try {
      CountDownLatch ended = new CountDownLatch(1);
      StreamObserver<byte[]> s = ClientCalls.asyncClientStreamingCall(
          ch.newCall(InboundService.STREAM, CallOptions.DEFAULT), new StreamObserver<Ack>() {
            @Override
            public void onNext(Ack ack) {}

            @Override
            public void onError(Throwable t) {
              ended.countDown();
            }

            @Override
            public void onCompleted() {
              ended.countDown();
            }
          });
      s.onNext(batch);
      s.onCompleted();
      assertThat(ended.await(Polling.WAIT_SECONDS, TimeUnit.SECONDS)).as("the stream ends").isTrue();
    } finally {
      ch.shutdownNow();
    }
  }
}
