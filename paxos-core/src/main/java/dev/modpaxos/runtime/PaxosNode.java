package dev.modpaxos.runtime;

import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Boot;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.EntryId;
import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.MessageTypes;
import dev.modpaxos.protocol.Ready;
import dev.modpaxos.protocol.Replica;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.protocol.RoundEvent;
import dev.modpaxos.protocol.SlotBlock;
import dev.modpaxos.spi.Application;
import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.StoredState;
import dev.modpaxos.spi.Transport;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node: owns the {@link Replica}, its {@link Transport}, {@link Store} and {@link
 * Application}, and the one event-loop thread that feeds the replica. <b>Thread-safe</b>: every
 * public method may be called from any thread; they hand work to the loop.
 *
 * <p>The loop carries out each {@link Ready} in order: persist and sync, then send, then apply in
 * slot order, then complete futures (docs/PROTOCOL.md R15). A store failure stops the node: it
 * never runs on with state it could not persist.
 */
public final class PaxosNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PaxosNode.class);
  private static final int DRAIN_MAX = 4096;
  private static final long READ_TIMEOUT_MILLIS = 10_000;
  // Inbound messages beyond this many queued tasks are dropped (the protocol tolerates loss, R2).
  private static final int QUEUED_TASKS_MAX = 200_000;

  private final ReplicaConfig config;
  private final Transport transport;
  private final Store store;
  private final Application application;
  private final long tickNanos;
  private final int localLogEntriesMax;
  private final int inFlightSubmitsMax;
  private final boolean bootstrap;
  private final LongSupplier nonceSource;
  private final BlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
  private final Thread loop;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong inboundDropped = new AtomicLong();
  private volatile int localLogSize;
  private volatile boolean running;
  private volatile Throwable failure;

  // Loop-confined state below.
  private Replica replica;
  private final Map<EntryId, CompletableFuture<EntryId>> durableWaiters = new HashMap<>();
  private final Map<EntryId, Waiter> chosenWaiters = new HashMap<>();
  private final Map<Long, CompletableFuture<Void>> roundWaiters = new HashMap<>();
  private final Counters counters = new Counters();
  private long roundStartNanos = -1;

  private record Waiter(CompletableFuture<Long> future, long submitNanos) {}

  /** A queued task whose caller waits on futures; failed if the loop ends before it runs. */
  private abstract static class Pending implements Runnable {
    private final CompletableFuture<?>[] futures;

    Pending(CompletableFuture<?>... futures) {
      this.futures = futures;
    }

    void fail(Throwable cause) {
      for (CompletableFuture<?> f : futures) {
        f.completeExceptionally(cause);
      }
    }
  }

  private PaxosNode(Builder b) {
    this.config = b.config;
    this.transport = b.transport;
    this.store = b.store;
    this.application = b.application;
    this.tickNanos = TimeUnit.MILLISECONDS.toNanos(b.tickMillis);
    this.localLogEntriesMax = b.localLogEntriesMax;
    this.inFlightSubmitsMax = b.inFlightSubmitsMax;
    this.bootstrap = b.bootstrap;
    this.nonceSource = b.nonceSource;
    this.loop = new Thread(this::runLoop, "modpaxos-node-" + config.nodeId());
    this.loop.setDaemon(true);
  }

  public static Builder builder(ReplicaConfig config) {
    return new Builder(config);
  }

  /**
   * Loads the store, replays every chosen block into the application, starts the transport and the
   * loop. Blocks until the node runs; throws if the store cannot be read or the transport cannot
   * start.
   */
  public PaxosNode start() {
    StoredState state = store.load();
    replica = new Replica(config, state, new Boot(bootstrap, nonceSource.getAsLong()));
    long slot = 1;
    for (Block b : state.chosen()) {
      applySafely(slot++, b);
    }
    localLogSize = replica.localLogSize();
    running = true;
    transport.start(this::onInbound);
    loop.start();
    log.info(
        "node {} started: committed slot {}, local log {} entries{}",
        config.nodeId(),
        state.chosen().size(),
        localLogSize,
        state.losses().isEmpty() ? "" : ", store reported lost state " + state.losses());
    execute(replica::requestCatchUp);
    return this;
  }

  public int nodeId() {
    return config.nodeId();
  }

  public boolean isRunning() {
    return running;
  }

  // ---- writes -------------------------------------------------------------------------------

  /**
   * Appends {@code payload} to the local log (R4). Never blocks. Throws {@link
   * BackPressureException} when the local log or the in-flight submits are at their bound, and
   * {@link NodeStoppedException} when the node is not running.
   */
  public SubmitHandle submit(byte[] payload) {
    Objects.requireNonNull(payload, "payload");
    requireRunning();
    if (localLogSize >= localLogEntriesMax) {
      throw new BackPressureException(
          "node " + config.nodeId() + ": local log holds " + localLogSize
              + " entries (max " + localLogEntriesMax + "); wait for a round to choose them");
    }
    if (inFlight.incrementAndGet() > inFlightSubmitsMax) {
      inFlight.decrementAndGet();
      throw new BackPressureException(
          "node " + config.nodeId() + ": " + inFlightSubmitsMax
              + " submits already in flight; wait for some to be chosen");
    }
    byte[] copy = payload.clone();
    SubmitHandle handle = new SubmitHandle(new CompletableFuture<>(), new CompletableFuture<>());
    long submitNanos = System.nanoTime();
    if (!execute(
        new Pending(handle.durable(), handle.chosen()) {
          @Override
          public void run() {
            EntryId id = replica.submit(copy);
            durableWaiters.put(id, handle.durable());
            chosenWaiters.put(id, new Waiter(handle.chosen(), submitNanos));
          }
        })) {
      inFlight.decrementAndGet();
      throw new NodeStoppedException("node " + config.nodeId() + " is not running");
    }
    return handle;
  }

  /**
   * Runs a full round now (R14): it collects the local logs of every node that answers and
   * commits them. Completes when that block is chosen here, or exceptionally with {@link
   * RoundFailedException} when no majority answered within the configured attempts.
   */
  public CompletableFuture<Void> runRound() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    if (!execute(
        new Pending(f) {
          @Override
          public void run() {
            roundWaiters.put(replica.runRound(), f);
          }
        })) {
      f.completeExceptionally(new NodeStoppedException("node " + config.nodeId() + " stopped"));
    }
    return f;
  }

  /** Asks every peer for chosen blocks this node lacks (R11). */
  public void requestCatchUp() {
    execute(replica::requestCatchUp);
  }

  // ---- reads (run on the loop) --------------------------------------------------------------

  public long committedSlot() {
    return read(() -> replica.committedSlot());
  }

  /** The local log: this node's entries not yet chosen, in submit order. */
  public List<Entry> localLog() {
    return read(() -> replica.localLog());
  }

  /** Up to {@code max} chosen blocks from {@code fromSlot} on (slot {@code fromSlot + i}). */
  public List<Block> chosenBlocks(long fromSlot, int max) {
    return read(() -> replica.chosenBlocks(fromSlot, max));
  }

  public boolean isLeader() {
    return read(() -> replica.isLeader());
  }

  public NodeMetrics metrics() {
    return read(
        () ->
            counters.snapshot(
                config.nodeId(),
                replica.committedSlot(),
                replica.chosenEntries(),
                replica.localLogSize(),
                transport.rpcStats()));
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /** Stops the loop and the transport and closes the store cleanly. Idempotent. */
  @Override
  public void close() {
    if (!running && !loop.isAlive()) {
      return;
    }
    running = false;
    loop.interrupt();
    try {
      loop.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    transport.close();
    try {
      store.close();
    } catch (RuntimeException e) {
      log.warn("node {}: closing the store failed: {}", config.nodeId(), e.toString());
    }
    failAll(new NodeStoppedException("node " + config.nodeId() + " stopped"));
  }

  // ---- the loop -----------------------------------------------------------------------------

  private void onInbound(Message m) {
    if (running && tasks.size() < QUEUED_TASKS_MAX) {
      tasks.add(() -> step(m));
    } else {
      inboundDropped.incrementAndGet();
    }
  }

  /** Inbound messages dropped because the node was stopped or its queue was full. */
  public long inboundDropped() {
    return inboundDropped.get();
  }

  private void step(Message m) {
    counters.received(m.type());
    replica.step(m);
  }

  private boolean execute(Runnable r) {
    if (!running) {
      return false;
    }
    tasks.add(r);
    return true;
  }

  private void runLoop() {
    long nextTick = System.nanoTime() + tickNanos;
    try {
      while (running) {
        long wait = nextTick - System.nanoTime();
        Runnable task = wait > 0 ? tasks.poll(wait, TimeUnit.NANOSECONDS) : tasks.poll();
        if (System.nanoTime() >= nextTick) {
          replica.tick();
          nextTick += tickNanos;
          if (System.nanoTime() - nextTick > 10 * tickNanos) {
            nextTick = System.nanoTime() + tickNanos; // fell far behind: do not burst ticks
          }
        }
        for (int i = 0; task != null && i < DRAIN_MAX; i++) {
          task.run();
          task = i + 1 < DRAIN_MAX ? tasks.poll() : null;
        }
        carryOut(replica.ready());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      failure = e;
      running = false;
      log.error("node {} stopped: {}", config.nodeId(), e.toString(), e);
      failAll(new NodeStoppedException("node " + config.nodeId() + " failed: " + e, e));
    }
  }

  /** R15: persist and sync, then send, then apply, then complete futures. */
  private void carryOut(Ready r) {
    if (r.isEmpty()) {
      return;
    }
    if (r.needsPersist()) {
      r.writeTo(store);
      store.sync();
    }
    localLogSize = replica.localLogSize(); // before any future completes: submit reads it
    for (Entry e : r.appended()) {
      CompletableFuture<EntryId> f = durableWaiters.remove(e.id());
      if (f != null) {
        f.complete(e.id());
      }
    }
    for (Message m : r.messages()) {
      counters.sent(m.type());
      transport.send(m);
    }
    long now = System.nanoTime();
    for (SlotBlock sb : r.chosen()) {
      applySafely(sb.slot(), sb.block());
      for (Entry e : sb.block().entries()) {
        Waiter w = chosenWaiters.remove(e.id());
        if (w != null) {
          inFlight.decrementAndGet();
          counters.commitLatency.recordNanos(now - w.submitNanos());
          w.future().complete(sb.slot());
        }
      }
    }
    for (RoundEvent ev : r.events()) {
      onRoundEvent(ev, now);
    }
    for (long t : r.roundsDone()) {
      CompletableFuture<Void> f = roundWaiters.remove(t);
      if (f != null) {
        f.complete(null);
      }
    }
    for (long t : r.roundsFailed()) {
      CompletableFuture<Void> f = roundWaiters.remove(t);
      if (f != null) {
        f.completeExceptionally(
            new RoundFailedException(
                "node " + config.nodeId() + ": no majority answered after "
                    + config.roundAttemptsMax() + " attempts"));
      }
    }
  }

  private void onRoundEvent(RoundEvent ev, long now) {
    switch (ev.kind()) {
      case PREPARE_STARTED -> {
        counters.preparesStarted++;
        if (roundStartNanos < 0) {
          roundStartNanos = now;
        }
      }
      case ACCEPT_STARTED -> {
        if (roundStartNanos < 0) {
          counters.fastRoundsStarted++;
          roundStartNanos = now;
        }
      }
      case PREPARE_WON -> counters.roundsWon++;
      case COMMITTED -> {
        counters.blocksCommitted++;
        if (roundStartNanos >= 0) {
          counters.roundLatency.recordNanos(now - roundStartNanos);
        }
        roundStartNanos = -1;
      }
      case LOST -> counters.roundsLost++;
    }
  }

  private void applySafely(long slot, Block block) {
    try {
      application.apply(slot, block);
    } catch (RuntimeException e) {
      log.error("node {}: application failed on slot {}: {}", config.nodeId(), slot, e.toString());
    }
  }

  private void failAll(RuntimeException cause) {
    Runnable fail =
        () -> {
          durableWaiters.values().forEach(f -> f.completeExceptionally(cause));
          chosenWaiters.values().forEach(w -> w.future().completeExceptionally(cause));
          roundWaiters.values().forEach(f -> f.completeExceptionally(cause));
          durableWaiters.clear();
          chosenWaiters.clear();
          roundWaiters.clear();
          inFlight.set(0);
        };
    if (Thread.currentThread() == loop || !loop.isAlive()) {
      fail.run();
      for (Runnable t = tasks.poll(); t != null; t = tasks.poll()) {
        if (t instanceof Pending p) {
          p.fail(cause); // queued but never run: its caller still waits on these futures
        }
      }
    }
  }

  private void requireRunning() {
    if (!running) {
      Throwable f = failure;
      throw new NodeStoppedException(
          "node " + config.nodeId() + " is not running" + (f == null ? "" : ": " + f), f);
    }
  }

  private <T> T read(Callable<T> query) {
    requireRunning();
    CompletableFuture<T> f = new CompletableFuture<>();
    execute(
        () -> {
          try {
            f.complete(query.call());
          } catch (Exception e) {
            f.completeExceptionally(e);
          }
        });
    try {
      return f.get(READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NodeStoppedException("interrupted while reading node " + config.nodeId(), e);
    } catch (ExecutionException | TimeoutException e) {
      throw new NodeStoppedException("node " + config.nodeId() + " did not answer: " + e, e);
    }
  }

  /** Loop-confined counters. */
  private static final class Counters {
    long preparesStarted;
    long fastRoundsStarted;
    long roundsWon;
    long roundsLost;
    long blocksCommitted;
    final Map<String, AtomicLong> sent = new HashMap<>();
    final Map<String, AtomicLong> received = new HashMap<>();
    final LatencyRecorder roundLatency = new LatencyRecorder();
    final LatencyRecorder commitLatency = new LatencyRecorder();

    Counters() {
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

    NodeMetrics snapshot(
        int nodeId, long committed, long chosen, int local, List<dev.modpaxos.spi.RpcStats> rpc) {
      Map<String, Long> s = new TreeMap<>();
      Map<String, Long> r = new TreeMap<>();
      sent.forEach((k, v) -> s.put(k, v.get()));
      received.forEach((k, v) -> r.put(k, v.get()));
      return new NodeMetrics(
          nodeId, committed, chosen, local, preparesStarted, fastRoundsStarted, roundsWon,
          roundsLost, blocksCommitted, s, r, roundLatency.summary(), commitLatency.summary(), rpc);
    }
  }

  /** Assembles a {@link PaxosNode}. Transport, store and application are required. */
  public static final class Builder {
    private final ReplicaConfig config;
    private Transport transport;
    private Store store;
    private Application application;
    private long tickMillis = 10;
    private int localLogEntriesMax = 100_000;
    private int inFlightSubmitsMax = 100_000;
    private boolean bootstrap;
    private LongSupplier nonceSource = new java.security.SecureRandom()::nextLong;

    private Builder(ReplicaConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    public Builder transport(Transport v) {
      transport = v;
      return this;
    }

    public Builder store(Store v) {
      store = v;
      return this;
    }

    public Builder application(Application v) {
      application = v;
      return this;
    }

    /** Length of one logical tick; timeouts in {@link ReplicaConfig} count these. Default 10. */
    public Builder tickMillis(long v) {
      if (v <= 0) {
        throw new IllegalArgumentException("tickMillis must be > 0, got " + v);
      }
      tickMillis = v;
      return this;
    }

    /** Local-log size at which {@code submit} fails fast. Default 100,000. */
    public Builder localLogEntriesMax(int v) {
      if (v <= 0) {
        throw new IllegalArgumentException("localLogEntriesMax must be > 0, got " + v);
      }
      localLogEntriesMax = v;
      return this;
    }

    /** Submits not yet chosen at which {@code submit} fails fast. Default 100,000. */
    public Builder inFlightSubmitsMax(int v) {
      if (v <= 0) {
        throw new IllegalArgumentException("inFlightSubmitsMax must be > 0, got " + v);
      }
      inFlightSubmitsMax = v;
      return this;
    }

    /**
     * True only for a founding member of a new cluster, on its first start: an empty store is
     * then initialised as generation 1. Default false: an empty or wiped store of an existing
     * member starts a non-voting learner that awaits re-admission (docs/PROTOCOL.md R16).
     */
    public Builder bootstrap(boolean v) {
      bootstrap = v;
      return this;
    }

    /**
     * Where the nonce of a new incarnation comes from (R16, R17). Default {@link
     * java.security.SecureRandom}; the simulator passes a seeded source.
     */
    public Builder nonceSource(LongSupplier v) {
      nonceSource = Objects.requireNonNull(v, "nonceSource");
      return this;
    }

    /** Builds the node; call {@link PaxosNode#start()} to run it. */
    public PaxosNode build() {
      Objects.requireNonNull(transport, "transport");
      Objects.requireNonNull(store, "store");
      Objects.requireNonNull(application, "application");
      return new PaxosNode(this);
    }
  }
}
