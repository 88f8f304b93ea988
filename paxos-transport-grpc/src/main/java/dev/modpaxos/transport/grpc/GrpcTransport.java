package dev.modpaxos.transport.grpc;

import dev.modpaxos.protocol.Message;
import dev.modpaxos.spi.RpcStats;
import dev.modpaxos.spi.Transport;
import dev.modpaxos.transport.grpc.proto.PaxosGrpc;
import dev.modpaxos.transport.grpc.proto.Wire.Ack;
import dev.modpaxos.transport.grpc.proto.Wire.Envelope;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Transport} over gRPC: one server per node, one reused channel per peer, one unary
 * {@code modpaxos.v1.Paxos/Deliver} call with a deadline per message. <b>Thread-safe.</b>
 *
 * <p>{@link #send} encodes on the caller's thread, starts an asynchronous call and returns: it
 * never blocks and never throws. A message that cannot go out (unknown peer, too large, too many
 * calls in flight to that peer, transport closed) or whose call fails (peer down, deadline
 * exceeded, refused) is dropped, counted in {@link #rpcStats()} and logged (throttled).
 *
 * <p>Inbound messages are decoded and validated by {@link MessageCodec} on a bounded executor,
 * never on a Netty event loop; with {@link Builder#tls mutual TLS} a {@link MemberAuthorizer}
 * first checks that the peer's certificate names a member and that the message's claimed sender
 * is that member. A rejected frame is answered with an error status, counted and logged; the node
 * keeps running and never sees it. See docs/TRANSPORT.md.
 */
public final class GrpcTransport implements Transport {
  private static final Logger log = LoggerFactory.getLogger(GrpcTransport.class);

  private final int self;
  private final Map<Integer, InetSocketAddress> members;
  private final InetSocketAddress listenAddress;
  private final Settings settings;
  private final MessageCodec codec;
  private final TransportStats stats = new TransportStats();
  private final ThrottledLog sendLog = new ThrottledLog(log);
  private final ThrottledLog rejectLog = new ThrottledLog(log);
  // Filled by start() while the server may already deliver: read concurrently.
  private final Map<Integer, Peer> peers = new ConcurrentHashMap<>();
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
  private ExecutorService executor;
  private ScheduledExecutorService reconnector;
  private Server server;

  private enum State {
    NEW,
    STARTED,
    CLOSED
  }

  /** One peer's channel and its in-flight call budget. */
  private record Peer(int id, ManagedChannel channel, PaxosGrpc.PaxosStub stub, Semaphore slots) {}

  private GrpcTransport(Builder b) {
    this.self = b.self;
    this.members = Map.copyOf(b.members);
    this.listenAddress = b.listenAddress != null ? b.listenAddress : members.get(self);
    this.settings = new Settings(b);
    this.codec = new MessageCodec(members.keySet());
  }

  /**
   * A builder for node {@code selfId} of the cluster whose members listen at {@code members}
   * (this node included: it binds its own entry, unless {@link Builder#listenAddress} says
   * otherwise).
   */
  public static Builder builder(int selfId, Map<Integer, InetSocketAddress> members) {
    return new Builder(selfId, members);
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /** Binds the server and creates the peer channels, which start connecting at once. */
  @Override
  public void start(Consumer<Message> inbound) {
    Objects.requireNonNull(inbound, "inbound");
    if (!state.compareAndSet(State.NEW, State.STARTED)) {
      throw new IllegalStateException("transport of node " + self + " was already started");
    }
    int queueMax = 2 * members.size() * settings.inFlightPerPeerMax() + 1024;
    executor =
        new ThreadPoolExecutor(
            settings.threads(), settings.threads(), 0, TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(queueMax), daemonThreads("modpaxos-grpc-" + self));
    try {
      server =
          GrpcChannels.server(
                  listenAddress, settings, executor, service(inbound), oversizeTracer())
              .start();
    } catch (IOException | RuntimeException e) {
      closeResources();
      state.set(State.CLOSED);
      throw new IllegalStateException(
          "node " + self + ": cannot listen on " + listenAddress + ": " + e.getMessage(), e);
    }
    members.forEach(
        (id, address) -> {
          if (id != self) {
            ManagedChannel ch = GrpcChannels.channel(id, address, settings);
            ch.getState(true); // connect now: the handshake should not eat the first deadline
            peers.put(id, new Peer(id, ch, PaxosGrpc.newStub(ch),
                new Semaphore(settings.inFlightPerPeerMax())));
          }
        });
    reconnector =
        Executors.newSingleThreadScheduledExecutor(daemonThreads("modpaxos-grpc-reconnect-" + self));
    reconnector.scheduleWithFixedDelay(
        this::resetBackoff, settings.reconnectMillis(), settings.reconnectMillis(),
        TimeUnit.MILLISECONDS);
    log.info("node {}: gRPC transport listening on {} ({})", self, localAddress(),
        settings.tls() == null ? "plaintext" : "mutual TLS");
  }

  private io.grpc.ServerServiceDefinition service(Consumer<Message> inbound) {
    MemberAuthorizer.Rejections rejections = this::onRejected;
    Consumer<Message> deliver =
        m -> {
          Peer from = peers.get(m.from());
          if (from != null) {
            redialIfBackingOff(from); // it just reached us, so it is up: dial it back now
          }
          inbound.accept(m);
        };
    InboundService service = new InboundService(self, codec, stats, rejections, deliver);
    if (settings.tls() == null) {
      return service.definition();
    }
    return ServerInterceptors.intercept(
        service.definition(), new MemberAuthorizer(members.keySet(), rejections));
  }

  /** Counts and logs one rejected inbound frame. */
  private void onRejected(String type, String reason) {
    stats.error(type);
    rejectLog.warn("node " + self + " rejected inbound " + type + ": " + reason);
  }

  /** Sees the frames gRPC itself refused before the handler ran: oversized ones. */
  private ServerStreamTracer.Factory oversizeTracer() {
    return new ServerStreamTracer.Factory() {
      @Override
      public ServerStreamTracer newServerStreamTracer(String method, io.grpc.Metadata headers) {
        return new ServerStreamTracer() {
          @Override
          public void streamClosed(Status status) {
            if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
              String reason = "frame refused: " + status.getDescription();
              try { // this runs on a Netty event loop: log elsewhere
                executor.execute(() -> onRejected(TransportStats.INVALID, reason));
              } catch (RuntimeException closedOrFull) {
                stats.error(TransportStats.INVALID);
              }
            }
          }
        };
      }
    };
  }

  /** A peer that failed to connect is retried every reconnect interval, not after gRPC's
   * exponential back-off (up to two minutes), so a restarted peer is reached again quickly. */
  private void resetBackoff() {
    peers.values().forEach(GrpcTransport::redialIfBackingOff);
  }

  /**
   * Ends the connect back-off of a peer's channel, so that it dials now. Besides the reconnect
   * timer, this runs on every send to that peer and on every message received from it: a peer
   * that has just reached us is up, and a call waiting for the channel (wait-for-ready) goes out
   * as soon as it is, not at the next reconnect tick. This matters at start-up, when the nodes
   * start one after another and their first dials are refused: the first round used to wait for
   * the reconnect interval (docs/BENCHMARKS.md, BankBenchmark). A peer that is down costs at most
   * one refused connect per send, since only a channel in back-off is redialled.
   */
  private static void redialIfBackingOff(Peer p) {
    if (p.channel().getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
      p.channel().resetConnectBackoff();
    }
  }

  /** The address the server is bound to (with the real port if the configured one was 0). */
  public InetSocketAddress localAddress() {
    Server s = server;
    if (s != null && !s.getListenSockets().isEmpty()
        && s.getListenSockets().get(0) instanceof InetSocketAddress bound) {
      return bound;
    }
    return listenAddress;
  }

  /** Stops the server and the channels, waiting briefly for calls in flight. Idempotent. */
  @Override
  public void close() {
    if (state.getAndSet(State.CLOSED) != State.STARTED) {
      return;
    }
    long start = System.nanoTime();
    closeResources();
    log.info("node {}: gRPC transport closed in {} ms", self,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
  }

  private void closeResources() {
    if (reconnector != null) {
      reconnector.shutdownNow();
    }
    if (server != null) {
      server.shutdown();
    }
    peers.values().forEach(p -> p.channel().shutdown());
    try {
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      if (server != null && !server.awaitTermination(remaining(until), TimeUnit.NANOSECONDS)) {
        server.shutdownNow();
      }
      for (Peer p : peers.values()) {
        if (!p.channel().awaitTermination(remaining(until), TimeUnit.NANOSECONDS)) {
          p.channel().shutdownNow();
        }
      }
      if (executor != null) {
        executor.shutdown();
        if (!executor.awaitTermination(remaining(until), TimeUnit.NANOSECONDS)) {
          executor.shutdownNow();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (server != null) {
        server.shutdownNow();
      }
      peers.values().forEach(p -> p.channel().shutdownNow());
      if (executor != null) {
        executor.shutdownNow();
      }
    }
  }

  private static long remaining(long untilNanos) {
    return Math.max(0, untilNanos - System.nanoTime());
  }

  // ---- sending ------------------------------------------------------------------------------

  @Override
  public void send(Message message) {
    String type = TransportStats.INVALID;
    try {
      type = message.type();
      Peer peer = peers.get(message.to());
      if (state.get() != State.STARTED || peer == null || message.from() != self) {
        dropped(type, message, state.get() != State.STARTED ? "transport not running"
            : peer == null ? "no such peer" : "sender is not this node");
        return;
      }
      Envelope envelope = codec.encode(message);
      int bytes = envelope.getSerializedSize();
      if (bytes > settings.maxInboundMessageBytes()) {
        dropped(type, message,
            bytes + " bytes exceed maxInboundMessageBytes " + settings.maxInboundMessageBytes());
        return;
      }
      if (!peer.slots().tryAcquire()) {
        dropped(type, message, settings.inFlightPerPeerMax() + " calls already in flight");
        return;
      }
      stats.sent(type);
      redialIfBackingOff(peer);
      peer.stub()
          .withWaitForReady() // a peer (re)connecting gets the call once ready, within the deadline
          .withDeadlineAfter(settings.deadlineMillis(), TimeUnit.MILLISECONDS)
          .deliver(envelope, new Reply(peer, type, System.nanoTime()));
    } catch (RuntimeException e) {
      dropped(type, message, e.toString());
    }
  }

  private void dropped(String type, Message message, String reason) {
    stats.error(type);
    sendLog.warn("node " + self + " dropped " + type + " to " + message.to() + ": " + reason);
  }

  /**
   * Completes one call: releases its slot and records its latency or its error. Runs on a Netty
   * event loop (the channels use a direct executor), so it must stay this small.
   */
  private final class Reply implements StreamObserver<Ack> {
    private final Peer peer;
    private final String type;
    private final long startNanos;

    Reply(Peer peer, String type, long startNanos) {
      this.peer = peer;
      this.type = type;
      this.startNanos = startNanos;
    }

    @Override
    public void onNext(Ack ack) {}

    @Override
    public void onCompleted() {
      peer.slots().release();
      stats.latencyNanos(type, System.nanoTime() - startNanos);
    }

    @Override
    public void onError(Throwable t) {
      peer.slots().release();
      stats.error(type);
      Status s = Status.fromThrowable(t);
      sendLog.warn("node " + self + ": " + type + " to " + peer.id() + " failed: " + s.getCode()
          + (s.getDescription() == null ? "" : " " + s.getDescription()));
    }
  }

  // ---- metrics ------------------------------------------------------------------------------

  /**
   * Per message type: calls started, messages delivered here, errors (failed or dropped sends and
   * rejected inbound frames) and call latency from start to the peer's acknowledgement. The extra
   * row {@code INVALID} counts rejected inbound frames whose type is unknown.
   */
  @Override
  public List<RpcStats> rpcStats() {
    return stats.snapshot();
  }

  private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Configures a {@link GrpcTransport}. Every setting has a default; see docs/TRANSPORT.md for
   * how they relate to the protocol's timeouts.
   */
  public static final class Builder {
    final int self;
    final Map<Integer, InetSocketAddress> members;
    InetSocketAddress listenAddress;
    TlsConfig tls;
    int maxInboundMessageBytes = 16 * 1024 * 1024;
    long deadlineMillis = 150;
    long keepAliveTimeMillis = 30_000;
    long keepAliveTimeoutMillis = 10_000;
    int inFlightPerPeerMax = 1024;
    int threads = 1;
    long reconnectMillis = 500;

    private Builder(int self, Map<Integer, InetSocketAddress> members) {
      this.self = self;
      this.members = Map.copyOf(Objects.requireNonNull(members, "members"));
      if (!this.members.containsKey(self)) {
        throw new IllegalArgumentException(
            "node " + self + " is not in members " + this.members.keySet());
      }
      this.members.forEach(
          (id, address) -> {
            if (id <= 0) {
              throw new IllegalArgumentException("member ids must be positive, got " + id);
            }
            if (address.isUnresolved() || address.getAddress().isAnyLocalAddress()) {
              throw new IllegalArgumentException(
                  "member " + id + " address " + address + " cannot be dialled: give a resolved,"
                      + " specific address (bind all interfaces with listenAddress instead)");
            }
          });
    }

    /**
     * Binds the server here instead of at this node's own member address, for example the
     * wildcard address to listen on every interface (never the default). Default: the member
     * address.
     */
    public Builder listenAddress(InetSocketAddress v) {
      listenAddress = Objects.requireNonNull(v, "listenAddress");
      return this;
    }

    /** Enables mutual TLS with client authentication required. Default: plaintext. */
    public Builder tls(TlsConfig v) {
      v.requireReadable();
      tls = v;
      return this;
    }

    /** The largest message accepted and sent, in serialized bytes. Default 16 MiB. */
    public Builder maxInboundMessageBytes(int v) {
      maxInboundMessageBytes = positive("maxInboundMessageBytes", v);
      return this;
    }

    /**
     * The deadline of each call. Keep it below the protocol's round timeout ({@code
     * roundTimeoutTicks x tickMillis}, 200 ms by default). Default 150.
     */
    public Builder deadlineMillis(long v) {
      deadlineMillis = positive("deadlineMillis", v);
      return this;
    }

    /**
     * Keepalive: pings an idle connection every {@code timeMillis} (at least 10,000, gRPC's
     * floor) and drops it when no answer comes within {@code timeoutMillis}. Both ends use the
     * same values, and servers permit pings that often. Default 30,000 and 10,000.
     */
    public Builder keepAlive(long timeMillis, long timeoutMillis) {
      if (timeMillis < 10_000) {
        throw new IllegalArgumentException("keepAlive timeMillis must be >= 10000, got " + timeMillis);
      }
      keepAliveTimeMillis = timeMillis;
      keepAliveTimeoutMillis = positive("keepAlive timeoutMillis", timeoutMillis);
      return this;
    }

    /**
     * Calls in flight to one peer before further sends to it are dropped; also the server's
     * limit of concurrent calls per connection. Default 1024.
     */
    public Builder inFlightPerPeerMax(int v) {
      inFlightPerPeerMax = positive("inFlightPerPeerMax", v);
      return this;
    }

    /**
     * Threads that decode inbound messages and complete calls. Default 1, which keeps each peer's
     * messages in arrival order (docs/TRANSPORT.md).
     */
    public Builder threads(int v) {
      threads = positive("threads", v);
      return this;
    }

    /** How often a peer that could not be reached is dialled again. Default 500. */
    public Builder reconnectMillis(long v) {
      reconnectMillis = positive("reconnectMillis", v);
      return this;
    }

    /** Builds the transport; {@link GrpcTransport#start} binds it. */
    public GrpcTransport build() {
      return new GrpcTransport(this);
    }

    private static int positive(String name, int v) {
      if (v <= 0) {
        throw new IllegalArgumentException(name + " must be > 0, got " + v);
      }
      return v;
    }

    private static long positive(String name, long v) {
      if (v <= 0) {
        throw new IllegalArgumentException(name + " must be > 0, got " + v);
      }
      return v;
    }
  }
}
