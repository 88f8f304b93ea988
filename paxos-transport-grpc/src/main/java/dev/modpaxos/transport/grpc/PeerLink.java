package dev.modpaxos.transport.grpc;

import dev.modpaxos.transport.grpc.internal.wire.Wire.Ack;
import io.grpc.CallOptions;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The outbound side of one peer: a bounded queue of encoded messages and the one long-lived
 * {@code Stream} call they are written on, re-opened after a bounded back-off when it fails.
 * Thread-safe.
 *
 * <p>A message waits in the queue while the stream is connecting. A dial tick that finds the
 * channel failed drops the messages that have waited longer than {@code connectWaitMillis}: the
 * peer is down. Nothing stale piles up for a peer that is down, and nothing is lost to a busy
 * machine: a message on a ready stream has no deadline.
 *
 * <p>{@link #offer} may run on any thread; gRPC runs the stream's callbacks on a Netty event loop
 * (the channel has a direct executor). Writing happens in one drain loop at a time, on whichever
 * of those threads asks first: a send to an idle, ready stream is written on the sender's own
 * thread, and a backlog is written by the stream's on-ready callback when HTTP/2 flow control
 * lets it. Each write takes everything queued, up to {@link #BATCH_BYTES_TARGET}, as one batch.
 */
final class PeerLink {
  /** One encoded message waiting for its stream. */
  record Outbound(byte[] envelope, String type, long queuedNanos) {}

  /** Stream ends that say the peer refuses us: re-opening at once would not change its mind. */
  private static final Set<Status.Code> REFUSALS =
      EnumSet.of(Status.Code.PERMISSION_DENIED, Status.Code.UNAUTHENTICATED,
          Status.Code.UNIMPLEMENTED);

  /**
   * A batch stops growing at this many bytes (a single larger message goes alone), so that flow
   * control is asked again between writes.
   */
  static final int BATCH_BYTES_TARGET = 64 * 1024;

  private final int self;
  private final int peer;
  private final ManagedChannel channel;
  private final MethodDescriptor<byte[], Ack> method;
  private final Settings settings;
  private final TransportStats stats;
  private final ScheduledExecutorService timer;
  private final ThrottledLog log;
  private final int batchBytesMax;

  private final ConcurrentLinkedQueue<Outbound> queue = new ConcurrentLinkedQueue<>();
  // Invariant: each is at least what the queue holds (offer counts before it adds).
  private final AtomicInteger queuedMessages = new AtomicInteger();
  private final AtomicLong queuedBytes = new AtomicLong();
  // Drain requests not yet served; the thread that raises it from 0 runs the drain loop.
  private final AtomicInteger drainRequests = new AtomicInteger();
  // Touched only by the drain loop: the batch being written.
  private final List<Outbound> batch = new ArrayList<>();
  private final List<byte[]> envelopes = new ArrayList<>();
  // The current stream, or null while (re)connecting; cleared by its own end callback.
  private final AtomicReference<ClientCallStreamObserver<byte[]>> stream = new AtomicReference<>();
  private volatile boolean closing;

  // The current stream is ready to write; written under this.
  private volatile boolean connected;

  // Guarded by this.
  private final Backoff backoff;
  private ScheduledFuture<?> timerTask; // the pending dial tick or re-open, or null
  private long readySinceNanos; // when the current stream became ready
  private boolean everReady; // some stream to this peer became ready

  PeerLink(
      int self,
      int peer,
      ManagedChannel channel,
      MethodDescriptor<byte[], Ack> method,
      Settings settings,
      TransportStats stats,
      ScheduledExecutorService timer,
      ThrottledLog log) {
    this.self = self;
    this.peer = peer;
    this.channel = channel;
    this.method = method;
    this.settings = settings;
    this.stats = stats;
    this.timer = timer;
    this.log = log;
    this.batchBytesMax = Math.min(BATCH_BYTES_TARGET, settings.maxInboundMessageBytes());
    this.backoff = new Backoff(settings.reconnectInitialMillis(), settings.reconnectMaxMillis());
  }

  // ---- sending ------------------------------------------------------------------------------

  /** Queues one message and writes what the stream takes now; false if the queue is full. */
  boolean offer(Outbound m) {
    int framed = Batches.framedBytes(m.envelope().length);
    int n = queuedMessages.incrementAndGet();
    long bytes = queuedBytes.addAndGet(framed);
    if (n > settings.queueMessagesMax() || bytes > settings.queueBytesMax()) {
      queuedMessages.decrementAndGet();
      queuedBytes.addAndGet(-framed);
      return false;
    }
    queue.add(m);
    drain();
    return true;
  }

  /** Runs the drain loop here, or leaves it to the thread already running it (it will see us). */
  private void drain() {
    if (drainRequests.getAndIncrement() != 0) {
      return;
    }
    int served = 1;
    do {
      writeWhileReady();
      served = drainRequests.addAndGet(-served);
    } while (served != 0);
  }

  private void writeWhileReady() {
    ClientCallStreamObserver<byte[]> s = stream.get();
    if (s == null) {
      return;
    }
    boolean alive = true;
    while (alive && !queue.isEmpty() && s.isReady()) {
      alive = writeBatch(s);
    }
    if (closing && stream.compareAndSet(s, null)) {
      try {
        s.onCompleted(); // the peer answers with an Ack and the call ends cleanly
      } catch (RuntimeException alreadyEnded) {
        // the stream had failed in the meantime: nothing to close
      }
    }
  }

  /** Writes one batch from the head of the queue; false if the stream refused the write. */
  private boolean writeBatch(ClientCallStreamObserver<byte[]> s) {
    int bytes = 0;
    for (Outbound m; (m = queue.peek()) != null; ) {
      int framed = Batches.framedBytes(m.envelope().length);
      if (!batch.isEmpty() && bytes + framed > batchBytesMax) {
        break;
      }
      if (!queue.remove(m)) {
        continue; // a dial tick dropped it
      }
      unqueued(m);
      batch.add(m);
      envelopes.add(m.envelope());
      bytes += framed;
    }
    if (batch.isEmpty()) {
      return true;
    }
    boolean written;
    try {
      s.onNext(Batches.join(envelopes, bytes));
      written = true;
    } catch (RuntimeException ended) { // the call ended under us; its callback re-opens
      written = false;
    }
    long now = System.nanoTime();
    for (Outbound m : batch) {
      if (written) {
        stats.sent(m.type(), now - m.queuedNanos());
      } else {
        stats.error(m.type(), TransportCounter.DROPPED_WRITE_FAILED);
      }
    }
    if (written) {
      stats.count(TransportCounter.BATCHES_SENT);
    }
    batch.clear();
    envelopes.clear();
    return written;
  }

  // ---- the stream's life --------------------------------------------------------------------

  /**
   * Opens a new stream: at start, and when a re-open comes due. It waits for the channel to
   * connect (wait-for-ready), and until it is ready, dial ticks make the channel dial again on
   * this link's back-off instead of gRPC's (which grows to two minutes).
   */
  void open() {
    synchronized (this) {
      timerTask = null;
      if (closing) {
        return;
      }
    }
    Callbacks callbacks = new Callbacks();
    try {
      ClientCalls.asyncClientStreamingCall(
          channel.newCall(method, CallOptions.DEFAULT.withWaitForReady()), callbacks);
    } catch (RuntimeException shutDown) { // the transport is closing
      return;
    }
    ClientCallStreamObserver<byte[]> s = callbacks.requestStream;
    stream.set(s);
    if (callbacks.ended) { // it ended before we stored it: its callback could not clear it
      stream.compareAndSet(s, null);
    }
    synchronized (this) {
      if (!closing && !connected && timerTask == null) {
        schedule(this::dial, backoff.nextMillis());
      }
    }
    drain();
  }

  /**
   * One dial tick while the stream waits for its connection: a channel that failed to connect
   * dials again now, and the messages that have waited too long for it are dropped.
   */
  private void dial() {
    synchronized (this) {
      timerTask = null;
      if (closing || connected || stream.get() == null) {
        return;
      }
      schedule(this::dial, backoff.nextMillis());
    }
    if (channel.getState(true) != ConnectivityState.TRANSIENT_FAILURE) {
      return; // idle (now connecting) or still connecting
    }
    long oldest = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(settings.connectWaitMillis());
    for (Outbound m; (m = queue.peek()) != null && m.queuedNanos() - oldest < 0; ) {
      if (queue.remove(m)) {
        unqueued(m);
        stats.error(m.type(), TransportCounter.DROPPED_UNREACHABLE);
      }
    }
    channel.resetConnectBackoff();
  }

  /**
   * The peer has just reached us with a stream of its own, so it is up: if this link waits (to
   * dial or to re-open), it does so now instead of at the end of its back-off.
   */
  synchronized void peerIsUp() {
    if (closing || connected || timerTask == null || !timerTask.cancel(false)) {
      return;
    }
    stats.count(TransportCounter.REDIALS_ON_CONTACT);
    backoff.reset();
    schedule(stream.get() == null ? this::open : this::dial, 0);
  }

  /** Half-closes the stream after writing what it takes now, and stops re-opening. */
  void close() {
    synchronized (this) {
      closing = true;
      if (timerTask != null) {
        timerTask.cancel(false);
        timerTask = null;
      }
    }
    drain();
  }

  /** Counts everything still queued as dropped for {@code reason}. */
  void dropQueued(TransportCounter reason) {
    for (Outbound m; (m = queue.poll()) != null; ) {
      unqueued(m);
      stats.error(m.type(), reason);
    }
  }

  private void unqueued(Outbound m) {
    queuedMessages.decrementAndGet();
    queuedBytes.addAndGet(-Batches.framedBytes(m.envelope().length));
  }

  private synchronized void onReady() {
    connected = true;
    readySinceNanos = System.nanoTime();
    if (timerTask != null) {
      timerTask.cancel(false);
      timerTask = null;
    }
    stats.count(TransportCounter.STREAMS_OPENED);
    if (everReady) {
      stats.count(TransportCounter.RECONNECTS);
    }
    everReady = true;
  }

  private void onEnded(Status status, boolean wasReady) {
    if (closing) {
      return;
    }
    stats.count(TransportCounter.STREAM_FAILURES);
    log.warn("node " + self + ": stream to " + peer + " ended: " + status.getCode()
        + (status.getDescription() == null ? "" : " " + status.getDescription()));
    synchronized (this) {
      if (closing) {
        return;
      }
      if (wasReady) {
        connected = false;
        if (System.nanoTime() - readySinceNanos
            >= TimeUnit.MILLISECONDS.toNanos(backoff.maxMillis())) {
          backoff.reset(); // it lived: a fresh failure, not one more in a row
        }
      }
      if (timerTask != null) {
        timerTask.cancel(false);
      }
      schedule(this::open, REFUSALS.contains(status.getCode())
          ? backoff.maxMillis() : backoff.nextMillis());
    }
  }

  private void schedule(Runnable task, long delayMillis) { // under this
    try {
      timerTask = timer.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closed) {
      timerTask = null;
    }
  }

  /** The callbacks of one stream. gRPC calls them one at a time, on a Netty event loop. */
  private final class Callbacks implements ClientResponseObserver<byte[], Ack> {
    volatile ClientCallStreamObserver<byte[]> requestStream;
    volatile boolean ended;
    private boolean ready;

    @Override
    public void beforeStart(ClientCallStreamObserver<byte[]> requests) {
      requestStream = requests;
      requests.setOnReadyHandler(
          () -> {
            if (!ready) {
              ready = true;
              onReady();
            }
            drain();
          });
    }

    @Override
    public void onNext(Ack ack) {}

    @Override
    public void onError(Throwable t) {
      end(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      end(Status.UNAVAILABLE.withDescription("the peer ended the stream"));
    }

    private void end(Status status) {
      ended = true;
      ClientCallStreamObserver<byte[]> s = requestStream;
      if (s != null) {
        stream.compareAndSet(s, null);
      }
      onEnded(status, ready);
    }
  }
}
