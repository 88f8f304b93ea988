package dev.modpaxos.transport.grpc;

import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.Stamp;
import dev.modpaxos.spi.RpcStats;
import dev.modpaxos.spi.Transport;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Transport} over gRPC: one server per node, one channel per peer, and on it one
 * long-lived {@code modpaxos.v1.Paxos/Stream} call that carries every message to that peer, in
 * batches, under HTTP/2 flow control. <b>Thread-safe.</b>
 *
 * <p>Each envelope carries the sender's {@link Stamp} (docs/PROTOCOL.md R2) next to the message;
 * the node, not the transport, refuses a message of another cluster. {@link #peers()} is the
 * member map's key set, which {@code PaxosNode.Builder.build()} checks against the config.
 *
 * <p>{@link #send} encodes on the caller's thread and puts the message in the peer's bounded
 * queue; if the peer's stream is ready and idle it is written at once, on that thread. It never
 * blocks and never throws. A message that cannot go out (unknown peer, too large, the peer's queue
 * full because it is slow, down or reconnecting, transport closed) is dropped, counted in {@link
 * #rpcStats()} and {@link #counters()} and logged (throttled). There is no per-message deadline:
 * a stream that fails (the peer restarted or went away, or HTTP/2 keepalive found it dead) is
 * re-opened after a bounded exponential back-off, and the queue waits for it.
 *
 * <p>Inbound messages are split, decoded and validated by {@link MessageCodec} on the Netty event
 * loop that read them (or, with {@link Builder#threads} above 0, on a small bounded pool), and
 * handed to the node's handler on that thread, in the order their stream carried them. With
 * {@link Builder#tls mutual TLS} a {@link MemberAuthorizer} first checks, once per stream, that
 * the peer's certificate names a member; each message's claimed sender must be that member. A refused frame is counted and logged; the node keeps
 * running and never sees it. See docs/TRANSPORT.md.
 */
public final class GrpcTransport implements Transport {
  private static final Logger log = LoggerFactory.getLogger(GrpcTransport.class);
  /** How long close() waits for the peers to acknowledge the end of their streams. */
  private static final long CLOSE_WAIT_MILLIS = 500;

  private final int self;
  private final Map<Integer, InetSocketAddress> members;
  private final InetSocketAddress listenAddress;
  private final Settings settings;
  private final MessageCodec codec;
  private final TransportStats stats = new TransportStats();
  private final ThrottledLog sendLog = new ThrottledLog(log);
  private final ThrottledLog streamLog = new ThrottledLog(log);
  private final ThrottledLog rejectLog = new ThrottledLog(log);
  // Filled by start() while the server may already deliver: read concurrently.
  private final Map<Integer, PeerLink> links = new ConcurrentHashMap<>();
  private final Map<Integer, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
  private ThreadPoolExecutor executor;
  private ScheduledExecutorService timer;
  private Server server;

  private enum State {
    NEW,
    STARTED,
    CLOSED
  }

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
   *
   * @param selfId this node's member id
   * @param members every member's address, this node's included
   * @return the builder
   */
  public static Builder builder(int selfId, Map<Integer, InetSocketAddress> members) {
    return new Builder(selfId, members);
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /** Binds the server and opens a stream to every peer (each connects in the background). */
  @Override
  public void start(Inbound inbound) {
    Objects.requireNonNull(inbound, "inbound");
    if (!state.compareAndSet(State.NEW, State.STARTED)) {
      throw new IllegalStateException("transport of node " + self + " was already started");
    }
    if (settings.threads() > 0) {
      // gRPC queues at most one task per stream at a time; the rest is headroom for stray callers.
      int queueMax = 1024 + 4 * GrpcChannels.STREAMS_PER_CONNECTION_MAX * members.size();
      executor =
          new ThreadPoolExecutor(
              settings.threads(), settings.threads(), 0, TimeUnit.MILLISECONDS,
              new LinkedBlockingQueue<>(queueMax), daemonThreads("modpaxos-grpc-" + self));
    }
    timer =
        Executors.newSingleThreadScheduledExecutor(daemonThreads("modpaxos-grpc-timer-" + self));
    GrpcServerNoise.install();
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
            channels.put(id, ch);
            links.put(id, new PeerLink(self, id, ch, InboundService.STREAM, settings, stats,
                timer, streamLog));
          }
        });
    links.values().forEach(PeerLink::open);
    log.info("node {}: gRPC transport listening on {} ({})", self, localAddress(),
        settings.tls() == null ? "plaintext" : "mutual TLS");
  }

  private io.grpc.ServerServiceDefinition service(Inbound inbound) {
    MemberAuthorizer.Rejections rejections = this::onRejected;
    InboundService service =
        new InboundService(self, codec, stats, rejections, inbound, this::peerIsUp);
    if (settings.tls() == null) {
      return service.definition();
    }
    return ServerInterceptors.intercept(
        service.definition(), new MemberAuthorizer(members.keySet(), rejections));
  }

  /** A peer has just reached us: dial it back now if its stream waits to re-open. */
  private void peerIsUp(int id) {
    PeerLink link = links.get(id);
    if (link != null) {
      link.peerIsUp();
    }
  }

  /** Counts and logs one rejected inbound frame. */
  private void onRejected(String type, TransportCounter reason, String description) {
    stats.error(type, reason);
    rejectLog.warn("node " + self + " rejected inbound " + type + ": " + description);
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
              String reason = "frame refused, stream ended: " + status.getDescription();
              try { // this runs on a Netty event loop: log elsewhere
                timer.execute(() -> onRejected(
                    TransportStats.INVALID, TransportCounter.REJECTED_OVERSIZED, reason));
              } catch (RuntimeException closedOrFull) {
                stats.error(TransportStats.INVALID, TransportCounter.REJECTED_OVERSIZED);
              }
            }
          }
        };
      }
    };
  }

  /**
   * {@return the address the server is bound to (with the real port if the configured one was 0)}
   */
  public InetSocketAddress localAddress() {
    Server s = server;
    if (s != null && !s.getListenSockets().isEmpty()
        && s.getListenSockets().get(0) instanceof InetSocketAddress bound) {
      return bound;
    }
    return listenAddress;
  }

  /**
   * Half-closes the outbound streams, stops the server (ending the peers' streams to this node,
   * which they re-open once a node listens here again) and the channels, waiting at most {@value
   * #CLOSE_WAIT_MILLIS} ms for the peers' acknowledgements. Idempotent.
   */
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
    links.values().forEach(PeerLink::close);
    if (server != null) {
      server.shutdownNow(); // inbound messages not yet handed over are lost, as R2 allows
    }
    channels.values().forEach(ManagedChannel::shutdown);
    try {
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS);
      for (ManagedChannel ch : channels.values()) {
        if (!ch.awaitTermination(remaining(until), TimeUnit.NANOSECONDS)) {
          ch.shutdownNow();
        }
      }
      if (server != null) {
        server.awaitTermination(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      channels.values().forEach(ManagedChannel::shutdownNow);
    }
    links.values().forEach(l -> l.dropQueued(TransportCounter.DROPPED_AT_CLOSE));
    if (timer != null) {
      timer.shutdownNow();
    }
    if (executor != null) {
      executor.shutdownNow();
    }
  }

  private static long remaining(long untilNanos) {
    return Math.max(0, untilNanos - System.nanoTime());
  }

  // ---- sending ------------------------------------------------------------------------------

  @Override
  public void send(Stamp stamp, Message message) {
    String type = TransportStats.INVALID;
    try {
      type = message.type();
      PeerLink link = links.get(message.to());
      if (state.get() != State.STARTED) {
        dropped(type, message, TransportCounter.DROPPED_NOT_RUNNING, "transport not running");
      } else if (link == null) {
        dropped(type, message, TransportCounter.DROPPED_NO_PEER, "no such peer");
      } else if (message.from() != self) {
        dropped(type, message, TransportCounter.DROPPED_NOT_SELF, "sender is not this node");
      } else {
        byte[] envelope = codec.encode(stamp, message).toByteArray();
        if (Batches.framedBytes(envelope.length) > settings.maxInboundMessageBytes()) {
          dropped(type, message, TransportCounter.DROPPED_OVERSIZED, envelope.length
              + " bytes exceed maxInboundMessageBytes " + settings.maxInboundMessageBytes());
        } else if (!link.offer(new PeerLink.Outbound(envelope, type, System.nanoTime()))) {
          dropped(type, message, TransportCounter.DROPPED_QUEUE_FULL,
              "its queue is full (the peer is slow, down or connecting)");
        }
      }
    } catch (RuntimeException e) {
      dropped(type, message, TransportCounter.DROPPED_ERROR, e.toString());
    }
  }

  /** {@return every member this transport has an address for, this node included} */
  @Override
  public Set<Integer> peers() {
    return members.keySet();
  }

  private void dropped(String type, Message message, TransportCounter reason, String why) {
    stats.error(type, reason);
    sendLog.warn("node " + self + " dropped " + type + " to "
        + (message == null ? "?" : message.to()) + ": " + why);
  }

  /** The state of the channel to {@code peer}, for tests; null for no such peer. */
  io.grpc.ConnectivityState channelState(int peer) {
    ManagedChannel ch = channels.get(peer);
    return ch == null ? null : ch.getState(false);
  }

  // ---- metrics ------------------------------------------------------------------------------

  /**
   * Per message type: messages written on a stream, messages delivered here, errors (dropped
   * sends and rejected inbound messages) and the time messages waited in their peer's queue, from
   * {@link #send} until they were written on the stream. A stream has no per-message
   * acknowledgement, so this is not a round trip. The extra row {@code INVALID} counts rejected
   * inbound frames whose type is unknown.
   */
  @Override
  public List<RpcStats> rpcStats() {
    return stats.snapshot();
  }

  /**
   * Every {@link TransportCounter} of this transport: drops by reason, rejections by reason, and
   * stream openings, failures and reconnects. A snapshot; cheap.
   *
   * @return the count of each counter, every counter present
   */
  public Map<TransportCounter, Long> counters() {
    return stats.counters();
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
    long keepAliveTimeMillis = 30_000;
    long keepAliveTimeoutMillis = 20_000;
    int queueMessagesMax = 1024;
    long queueBytesMax = 64L * 1024 * 1024;
    int threads = 0;
    long reconnectInitialMillis = 10;
    long reconnectMaxMillis = 500;
    long connectWaitMillis = 2_000;

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
      Map<InetSocketAddress, Integer> owners = new HashMap<>();
      new TreeMap<>(this.members).forEach(
          (id, address) -> {
            Integer other = owners.putIfAbsent(address, id);
            if (other != null) {
              throw new IllegalArgumentException(
                  "members " + other + " and " + id + " have the same address " + address
                      + ": every member needs its own host:port");
            }
          });
    }

    /**
     * Binds the server here instead of at this node's own member address, for example the
     * wildcard address to listen on every interface (never the default). Default: the member
     * address.
     *
     * @param v the address to bind
     * @return this builder
     */
    public Builder listenAddress(InetSocketAddress v) {
      listenAddress = Objects.requireNonNull(v, "listenAddress");
      return this;
    }

    /**
     * Enables mutual TLS with client authentication required. Default: plaintext.
     *
     * @param v the PEM files
     * @return this builder
     */
    public Builder tls(TlsConfig v) {
      v.requireReadable();
      tls = v;
      return this;
    }

    /**
     * The largest batch accepted, in serialized bytes; also the largest message sent (with the few
     * bytes that frame it in a batch). Default 16 MiB.
     *
     * @param v bytes, {@code > 0}
     * @return this builder
     */
    public Builder maxInboundMessageBytes(int v) {
      maxInboundMessageBytes = positive("maxInboundMessageBytes", v);
      return this;
    }

    /**
     * Keepalive, the liveness check of the streams: HTTP/2 pings a connection that has been quiet
     * for {@code timeMillis} (at least 10,000, gRPC's floor) and drops it, ending its streams so
     * that they re-open, when no answer comes within {@code timeoutMillis}. Pings are answered by
     * Netty's event loop, not by the node, so a busy machine answers late rather than never: keep
     * the timeout generous. Both ends use the same values, and servers permit pings that often,
     * even on idle connections. Default 30,000 and 20,000.
     *
     * @param timeMillis quiet time before a ping, {@code >= 10000}
     * @param timeoutMillis how long to wait for the answer
     * @return this builder
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
     * The bound of each peer's outbound queue: at most {@code messagesMax} messages and {@code
     * bytesMax} encoded bytes wait for the peer's stream; a send beyond either is dropped and
     * counted ({@link TransportCounter#DROPPED_QUEUE_FULL}). {@code bytesMax} must be at least
     * {@link #maxInboundMessageBytes}. Default 1024 messages and 64 MiB.
     *
     * @param messagesMax the most messages queued per peer
     * @param bytesMax the most encoded bytes queued per peer
     * @return this builder
     */
    public Builder queueMax(int messagesMax, long bytesMax) {
      queueMessagesMax = positive("queueMax messagesMax", messagesMax);
      queueBytesMax = positive("queueMax bytesMax", bytesMax);
      return this;
    }

    /**
     * Where inbound messages are split, decoded and validated and the node's handler runs.
     * Default 0: on the Netty event loop that read them, with no hand-off (the handler must not
     * block, as {@link Transport.Inbound} requires; {@code PaxosNode}'s only enqueues). A
     * positive number runs them on a bounded pool of that many threads instead, one more thread
     * hop per message: for a handler of your own that does more than enqueue. Messages of one
     * stream stay in order either way (docs/TRANSPORT.md).
     *
     * @param v threads, {@code >= 0}
     * @return this builder
     */
    public Builder threads(int v) {
      if (v < 0) {
        throw new IllegalArgumentException("threads must be >= 0, got " + v);
      }
      threads = v;
      return this;
    }

    /**
     * The back-off before a failed stream is re-opened: {@code initialMillis} after the failure
     * of a stream that had been ready, doubling on each failed attempt up to {@code maxMillis}.
     * A stream the peer refused (any status but UNAVAILABLE) waits {@code maxMillis}. So a peer
     * that listens again is reached within {@code maxMillis}. Default 10 and 500.
     *
     * @param initialMillis the first back-off
     * @param maxMillis the longest back-off
     * @return this builder
     */
    public Builder reconnectBackoffMillis(long initialMillis, long maxMillis) {
      reconnectInitialMillis = positive("reconnect initialMillis", initialMillis);
      reconnectMaxMillis = positive("reconnect maxMillis", maxMillis);
      if (maxMillis < initialMillis) {
        throw new IllegalArgumentException(
            "reconnect maxMillis " + maxMillis + " is below initialMillis " + initialMillis);
      }
      return this;
    }

    /**
     * How long a message may wait in its peer's queue for a stream that is not ready while the
     * peer's channel fails to connect; older ones are dropped at the next dial tick and counted
     * ({@link TransportCounter#DROPPED_UNREACHABLE}). A message on a ready stream never ages out.
     * Default 2,000.
     *
     * @param v milliseconds, {@code > 0}
     * @return this builder
     */
    public Builder connectWaitMillis(long v) {
      connectWaitMillis = positive("connectWaitMillis", v);
      return this;
    }

    /**
     * Builds the transport; {@link GrpcTransport#start} binds it.
     *
     * @return the transport, not started
     */
    public GrpcTransport build() {
      if (queueBytesMax < maxInboundMessageBytes) {
        throw new IllegalArgumentException("queueMax bytesMax " + queueBytesMax
            + " is below maxInboundMessageBytes " + maxInboundMessageBytes);
      }
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
