package dev.modpaxos.runtime;

import dev.modpaxos.protocol.ReconfigOp;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Configuration;
import dev.modpaxos.protocol.Boot;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.EntryId;
import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.Ready;
import dev.modpaxos.protocol.Replica;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.protocol.RoundEvent;
import dev.modpaxos.protocol.SlotBlock;
import dev.modpaxos.protocol.Stamp;
import dev.modpaxos.spi.Application;
import dev.modpaxos.spi.IdFloor;
import dev.modpaxos.spi.SnapshotApplication;
import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.StoredState;
import dev.modpaxos.spi.Transport;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node: owns the {@link Replica}, its {@link Transport}, {@link Store} and {@link
 * Application}, and the event loop that feeds the replica. <b>Thread-safe</b>: every public method
 * may be called from any thread, including the loop's own (from {@code apply} or a future
 * callback); none of them blocks the loop.
 *
 * <p>The loop (one thread in production) feeds the replica ticks, messages and requests in
 * batches, and carries out each batch's {@link Ready} with a {@link ReadyExecutor}: persist and
 * sync, then send, then apply in slot order, then complete futures (docs/PROTOCOL.md R15). A
 * store or application failure stops the node (fail-stop): it never runs on with state it could
 * not persist or apply.
 *
 * <p>Queries never block the loop. On the loop thread (from {@code apply} or a non-async future
 * callback) every query answers at once from the replica. Elsewhere {@link #committedSlot}, {@link
 * #isLeader}, {@link #isVoting} and {@link #notVotingReason} read a snapshot published after each
 * batch, before any future of that batch completes, and {@link #localLog}, {@link #chosenBlocks}
 * and {@link #metrics} wait for the loop to finish its current batch.
 */
public final class PaxosNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PaxosNode.class);
  private static final long READ_TIMEOUT_MILLIS = 10_000;
  // Inbound messages beyond this many queued tasks are dropped (the protocol tolerates loss, R2).
  private static final int QUEUED_TASKS_MAX = 200_000;

  private enum State { NEW, STARTING, RUNNING, STOPPED }

  /** Builds the replica at {@link #start()}; tests swap in deliberately broken variants. */
  @FunctionalInterface
  interface ReplicaFactory {
    Replica create(ReplicaConfig config, StoredState state, Boot boot);
  }

  /** What the loop publishes after each batch, for queries from any thread. */
  private record Snapshot(
      long committedSlot, Leadership leadership, int localLogSize, String notVotingReason,
      Configuration configuration, String submitRefusal) {
    boolean leader() {
      return leadership.role() == Leadership.Role.LEADER;
    }
  }

  /** Thrown out of a batch whose {@link ReadyExecutor.Hook} stopped it: the node halts. */
  private static final class Halted extends RuntimeException {
    Halted() {
      super("halted part-way through a batch by its ReadyExecutor hook", null, false, false);
    }
  }

  private final ReplicaConfig config;
  private final int id;
  private final Transport transport;
  private final Store store;
  private final Application application;
  private final int localLogEntriesMax;
  private final int inFlightSubmitsMax;
  private final boolean bootstrap;
  private final LongSupplier nonceSource;
  private final NodeLoop loop;
  private final ReplicaFactory replicaFactory;
  private final ReadyExecutor.Hook hook;
  private final Snapshots.Policy snapshotPolicy;
  private final java.util.concurrent.Executor snapshotExecutor;
  private final java.util.concurrent.ExecutorService ownSnapshotThread; // null if injected
  private Snapshots snapshots;
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong inboundDropped = new AtomicLong();
  private volatile Snapshot snapshot;
  private volatile Throwable failure;

  // Loop-confined below; set up by start() before the loop runs.
  private Replica replica;
  private ReadyExecutor executor;
  private MembershipOps membershipOps;
  private final Map<EntryId, CompletableFuture<EntryId>> durableWaiters = new HashMap<>();
  private final Map<EntryId, Waiter> chosenWaiters = new HashMap<>();
  private final Map<Long, CompletableFuture<Void>> roundWaiters = new HashMap<>();
  private final Map<Long, ReadWaiter> readWaiters = new HashMap<>();
  private final List<Consumer<Leadership>> leadershipListeners = new CopyOnWriteArrayList<>();
  private final NodeCounters counters = new NodeCounters();
  private final ForeignLog foreignLog;
  // The loop's clock when the current batch was carried out.
  private long batchNanos;

  private record Waiter(
      CompletableFuture<Long> future, CompletableFuture<Object> result, long submitNanos) {}

  private record ReadWaiter(Supplier<?> query, CompletableFuture<Object> future) {}

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
    this.id = config.nodeId();
    this.transport = b.transport;
    this.store = b.store;
    this.application = b.application;
    this.localLogEntriesMax = b.localLogEntriesMax;
    this.inFlightSubmitsMax = b.inFlightSubmitsMax;
    this.bootstrap = b.bootstrap;
    this.nonceSource = b.nonceSource;
    this.loop =
        b.loop != null
            ? b.loop
            : new ThreadLoop("modpaxos-node-" + id, TimeUnit.MILLISECONDS.toNanos(b.tickMillis));
    this.replicaFactory = b.replicaFactory;
    this.hook = b.hook;
    this.snapshotPolicy = b.snapshotPolicy();
    if (b.snapshotExecutor != null || !snapshotPolicy.enabled()) {
      this.ownSnapshotThread = null;
      this.snapshotExecutor = b.snapshotExecutor != null ? b.snapshotExecutor : Runnable::run;
    } else {
      this.ownSnapshotThread =
          java.util.concurrent.Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "modpaxos-snapshot-" + config.nodeId());
                t.setDaemon(true);
                return t;
              });
      this.snapshotExecutor = ownSnapshotThread;
    }
    this.snapshot =
        new Snapshot(0, Leadership.STOPPED, 0, "node " + id + " has not started",
            // Epoch -1: no configuration is known yet, so the first publish() replaces it (the
            // founding configuration's epoch is 0, which publish() would take for unchanged).
            new Configuration(-1, new java.util.TreeMap<>(), new java.util.TreeMap<>(),
                java.util.Set.of(), new java.util.TreeMap<>(), -1), null);
    this.foreignLog = new ForeignLog(id, config, loop::nanoTime);
  }

  /**
   * {@return a builder of a node running {@code config}}
   *
   * @param config the protocol's settings; its {@code nodeId} is this node's id
   */
  public static Builder builder(ReplicaConfig config) {
    return new Builder(config);
  }

  /**
   * Loads the store, boots the replica (R16), replays every chosen block into the application,
   * starts the transport and the loop. Returns once the node runs. Call it once per node: a
   * second call throws {@link IllegalStateException}; build a new node to start again.
   *
   * <p>If the store cannot be read, the replica refuses it (a store of another cluster or
   * member), the application fails on a replayed block or the transport cannot start, it throws
   * {@link IllegalStateException} with a one-line reason, after closing the store and whatever
   * it had started: the node is then stopped for good. A node whose store shows lost state starts
   * as a non-voting learner and says why in one log line ({@link #notVotingReason()}).
   *
   * @return this node, running
   */
  public PaxosNode start() {
    if (!state.compareAndSet(State.NEW, State.STARTING)) {
      throw new IllegalStateException(
          "node " + id + " was already started; build a new PaxosNode to start it again");
    }
    try {
      boot();
    } catch (RuntimeException e) {
      failure = e;
      state.set(State.STOPPED);
      publishStopped();
      closed.set(true);
      loop.stop();
      transport.close();
      closeStore();
      String reason = oneLine(e);
      log.warn("node {} did not start: {}", id, reason);
      throw new IllegalStateException("node " + id + " did not start: " + reason, e);
    }
    return this;
  }

  private void boot() {
    StoredState stored = store.load();
    SnapshotApplication snapshotting =
        application instanceof SnapshotApplication a ? a : null;
    Boot boot = new Boot(bootstrap, nonceSource.getAsLong()).withIdFloors(store.keepsIdFloor());
    long restored = 0;
    if (stored.snapshot() != null) {
      if (snapshotting == null) {
        throw new IllegalStateException(
            "the store holds a snapshot of slot " + stored.snapshot().slot() + " but the"
                + " application does not implement SnapshotApplication, so it cannot restore it");
      }
      boot = boot.withSnapshot(SnapshotFile.restore(stored.snapshot(), snapshotting)); // R20
      restored = stored.snapshot().slot();
    }
    replica = replicaFactory.create(config, stored, boot);
    membershipOps = new MembershipOps(replica, config.seed() ^ 0x5DEECE66DL);
    executor = new ReadyExecutor(store, this::send, application, new Completions(), hook);
    snapshots =
        new Snapshots(id, store, snapshotting, snapshotPolicy, this::send, snapshotExecutor,
            task -> loop.execute(task), config.roundTimeoutTicks());
    snapshots.started(replica, stored.snapshot());
    long slot = stored.compactedSlot() + 1;
    for (Block b : stored.chosen()) {
      if (slot > restored) {
        executor.apply(new SlotBlock(slot, b)); // the snapshot covers the earlier ones
      }
      slot++;
    }
    publish();
    transport.start(this::onInbound);
    loop.start(new LoopWork());
    state.compareAndSet(State.STARTING, State.RUNNING);
    log.info(
        "node {} started: committed slot {}{}, local log {} entries{}",
        id,
        replica.committedSlot(),
        restored == 0 ? "" : " (from the snapshot of slot " + restored + ")",
        replica.localLogSize(),
        stored.losses().isEmpty() ? "" : ", store reported lost state " + stored.losses());
    String notVoting = replica.notVotingReason();
    if (notVoting != null) {
      log.warn("node {} runs as a non-voting learner: {}", id, notVoting);
    }
    loop.execute(() -> replica.requestCatchUp());
  }

  /** {@return this node's member id} */
  public int nodeId() {
    return id;
  }

  /**
   * {@return true between a successful {@link #start()} and {@link #close()} (or a failure that
   * stopped the node)}
   */
  public boolean isRunning() {
    return state.get() == State.RUNNING;
  }

  // ---- writes -------------------------------------------------------------------------------

  /**
   * Appends {@code payload} to the local log (R4). Never blocks. Throws {@link
   * NotVotingException} on a non-voting node, {@link BackPressureException} when the local log or
   * the in-flight submits are at their bound, and {@link NodeStoppedException} when the node is
   * not running. Once it returns, both futures of the handle complete, normally or exceptionally.
   *
   * <p>A payload of more than {@link ReplicaConfig#blockBytesMax} bytes is refused with {@link
   * IllegalArgumentException}, and nothing is logged: a block carries at most about that much,
   * so such an entry could never be chosen (keep {@code blockBytesMax} below the transport's
   * message limit, e.g. {@code GrpcTransport}'s {@code maxInboundMessageBytes}).
   *
   * @param payload the entry's bytes, copied; at most {@link ReplicaConfig#blockBytesMax} of them
   * @return the handle whose futures say when the entry is durable and when it is chosen
   */
  public SubmitHandle submit(byte[] payload) {
    Objects.requireNonNull(payload, "payload");
    if (payload.length > config.blockBytesMax()) {
      throw new IllegalArgumentException(
          "node " + id + ": a payload of " + payload.length + " bytes is over blockBytesMax ("
              + config.blockBytesMax() + ") and could never be chosen; split it or raise"
              + " blockBytesMax (below the transport's message limit)");
    }
    requireRunning();
    Snapshot s = snapshot;
    if (s.notVotingReason() != null) {
      throw new NotVotingException(s.notVotingReason());
    }
    if (s.submitRefusal() != null) {
      throw new BackPressureException(s.submitRefusal()); // R15: retry once the fence is chosen
    }
    if (s.localLogSize() >= localLogEntriesMax) {
      throw new BackPressureException(
          "node " + id + ": local log holds " + s.localLogSize()
              + " entries (max " + localLogEntriesMax + "); wait for a round to choose them");
    }
    if (inFlight.incrementAndGet() > inFlightSubmitsMax) {
      inFlight.decrementAndGet();
      throw new BackPressureException(
          "node " + id + ": " + inFlightSubmitsMax
              + " submits already in flight; wait for some to be chosen");
    }
    byte[] copy = payload.clone();
    SubmitHandle handle =
        new SubmitHandle(new CompletableFuture<>(), new CompletableFuture<>(),
            new CompletableFuture<>());
    long submitNanos = loop.nanoTime();
    Pending task =
        new Pending(handle.durable(), handle.chosen(), handle.result()) {
          @Override
          public void run() {
            String notVoting = replica.notVotingReason();
            if (notVoting != null) {
              inFlight.decrementAndGet();
              fail(new NotVotingException(notVoting));
              return;
            }
            String refused = replica.submitRefusal();
            if (refused != null) {
              inFlight.decrementAndGet();
              fail(new BackPressureException(refused));
              return;
            }
            EntryId entry = replica.submit(copy);
            durableWaiters.put(entry, handle.durable());
            chosenWaiters.put(entry, new Waiter(handle.chosen(), handle.result(), submitNanos));
          }
        };
    if (!loop.execute(task)) {
      inFlight.decrementAndGet();
      throw new NodeStoppedException(notRunning());
    }
    return handle;
  }

  /**
   * Runs a full round now (R14): it collects the local logs of every node that answers and
   * commits them. Completes when that block is chosen here, or exceptionally with {@link
   * RoundFailedException} when no majority answered within the configured attempts, {@link
   * NotVotingException} on a non-voting node, or {@link NodeStoppedException}.
   *
   * @return completes when the round's block is chosen here
   */
  public CompletableFuture<Void> runRound() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    String notVoting = snapshot.notVotingReason();
    if (isRunning() && notVoting != null) {
      f.completeExceptionally(new NotVotingException(notVoting));
      return f;
    }
    Pending task =
        new Pending(f) {
          @Override
          public void run() {
            String why = replica.notVotingReason();
            if (why != null) {
              fail(new NotVotingException(why));
            } else {
              roundWaiters.put(replica.runRound(), f);
            }
          }
        };
    if (!isRunning() || !loop.execute(task)) {
      f.completeExceptionally(new NodeStoppedException(notRunning()));
    }
    return f;
  }

  // ---- membership (R21) ----------------------------------------------------------------------

  /**
   * The cluster's configuration as of this node's committed slot (R21): voters and learners with
   * their generations, who is joining, who was removed, and the epoch. Never blocks: as of the
   * last batch carried out.
   *
   * @return the configuration
   */
  public Configuration configuration() {
    return snapshot.configuration();
  }

  /**
   * Adds node {@code id} as a learner (R21): it learns every slot and votes on none. The node
   * itself starts with an empty store and without {@code bootstrap}; once the change is chosen
   * it joins (it asks for its generation, R17) and catches up, by snapshot install if the log
   * is compacted (R20). Completes with the new configuration once the change is committed here.
   *
   * <p>Fails with {@link IllegalStateException} saying why if {@code id} is a member already, a
   * change requested on this node is still pending, or this node does not vote ({@link
   * NotVotingException}); with {@link RoundFailedException} if it was not chosen in time (it may
   * still be); with {@link NodeStoppedException} if this node stops.
   *
   * @param id the node to add
   * @return the configuration once the change took effect here
   */
  public CompletableFuture<Configuration> addLearner(int id) {
    return membership(f -> membershipOps.reconfigure(ReconfigOp.ADD_LEARNER, id, f));
  }

  /**
   * Promotes learner {@code id} to a voter (R21). Its votes count from {@code L} slots after the
   * slot that chose the change. Fails like {@link #addLearner}, and also if {@code id} is not a
   * learner, has not joined yet, or the new majority could not be reached now.
   *
   * @param id the learner
   * @return the configuration once the change took effect here
   */
  public CompletableFuture<Configuration> promoteLearner(int id) {
    return membership(f -> membershipOps.reconfigure(ReconfigOp.PROMOTE, id, f));
  }

  /**
   * Adds node {@code id} as a voter the safe way (R21): as a learner first; once it has joined
   * and caught up to within {@code L} slots of this node, promoted. Fails like {@link
   * #addLearner} and {@link #promoteLearner}.
   *
   * @param id the node to add
   * @return the configuration once it votes
   */
  public CompletableFuture<Configuration> addMember(int id) {
    return membership(f -> membershipOps.addMember(id, f));
  }

  /**
   * Removes member {@code id}, voter or learner (R21). Its votes stop counting {@code L} slots
   * after the slot that chose the change; once the removed node learns of it, it stops voting
   * and proposing and says so in {@link #notVotingReason()}. Entries it had acknowledged as
   * durable stay eligible: it keeps forwarding them to the voters until they are chosen. Fails
   * like {@link #addLearner}, and also if {@code id} is the last voter or the remaining majority
   * could not be reached now.
   *
   * @param id the member to remove
   * @return the configuration once the change took effect here
   */
  public CompletableFuture<Configuration> removeMember(int id) {
    return membership(f -> membershipOps.reconfigure(ReconfigOp.REMOVE, id, f));
  }

  /**
   * Re-admits member {@code id} under a new generation (R16, R17): the way back for a node that
   * lost its state. Start the node on its new (empty or damaged) data directory; it runs as a
   * learner and asks the voters to admit its new incarnation, and this call completes once that
   * was chosen and committed here. Its old incarnation never votes again. Fails with {@link
   * RoundFailedException} if no new incarnation of {@code id} asked in time. It waits for a
   * generation above the one {@code id} has at the call: a new incarnation re-admitted before the
   * call (it asks by itself) is not seen, and {@link #configuration()} already shows it.
   *
   * @param id the member to re-admit
   * @return the configuration once its new generation took effect here
   */
  public CompletableFuture<Configuration> replaceMember(int id) {
    return membership(f -> membershipOps.replace(id, f));
  }

  /**
   * Hands the stable leadership to voter {@code to} (R21): this node stops starting new slots
   * for a round timeout and asks {@code to} to run a full PREPARE at once. Completes once this
   * node sees {@code to} lead. Fails with {@link IllegalStateException} if {@code to} is not a
   * voter, {@link RoundFailedException} if it did not take over in time.
   *
   * @param to the voter that should lead
   * @return the configuration once {@code to} leads, as this node knows it
   */
  public CompletableFuture<Configuration> transferLeadership(int to) {
    return membership(f -> membershipOps.transfer(to, f));
  }

  private interface LoopOp {
    void run(CompletableFuture<Configuration> f);
  }

  private CompletableFuture<Configuration> membership(LoopOp op) {
    CompletableFuture<Configuration> f = new CompletableFuture<>();
    Pending task =
        new Pending(f) {
          @Override
          public void run() {
            String why = replica.notVotingReason();
            if (why != null) {
              f.completeExceptionally(new NotVotingException(why));
              return;
            }
            try {
              op.run(f);
            } catch (IllegalStateException | IllegalArgumentException e) {
              f.completeExceptionally(e);
            }
          }
        };
    if (!isRunning() || !loop.execute(task)) {
      f.completeExceptionally(new NodeStoppedException(notRunning()));
    }
    return f;
  }

  /** Asks every peer for chosen blocks this node lacks (R11). No-op unless running. */
  public void requestCatchUp() {
    if (isRunning()) {
      loop.execute(() -> replica.requestCatchUp());
    }
  }

  /**
   * Tells the protocol which members cannot answer now (cut off or down, as the caller knows), so
   * an on-demand round stops waiting for their promises ({@link Replica#setUnreachable}, R14).
   * Never blocks; takes effect on the event loop. No-op unless running.
   *
   * @param members the member ids that cannot answer now
   */
  public void setUnreachable(Set<Integer> members) {
    Set<Integer> copy = Set.copyOf(members);
    if (isRunning()) {
      loop.execute(() -> replica.setUnreachable(copy));
    }
  }

  // ---- reads --------------------------------------------------------------------------------

  /**
   * A linearizable read (R19): runs {@code query} on the event loop once this node has applied
   * every slot that was chosen anywhere before this call, so it sees every write whose {@code
   * chosen} future completed before, on any node. It costs one round trip to a majority, shared
   * by every read that starts while the previous probe is out, and no disk write. Works on every
   * node, the leader, followers and learners alike, in both round triggers.
   *
   * <p>Never blocks. The future completes on the loop with what {@code query} returned (so
   * {@code query} must not block; read only the application's state), or exceptionally with what
   * it threw, with {@link RoundFailedException} when no majority answered within {@code 10 ×
   * roundTimeoutTicks}, or with {@link NodeStoppedException}.
   *
   * @param <R> what the query returns
   * @param query reads the application's state; runs on the event loop
   * @return the query's result, once the read is linearizable
   */
  @SuppressWarnings("unchecked")
  public <R> CompletableFuture<R> read(Supplier<R> query) {
    Objects.requireNonNull(query, "query");
    CompletableFuture<Object> f = new CompletableFuture<>();
    Pending task =
        new Pending(f) {
          @Override
          public void run() {
            readWaiters.put(replica.read(), new ReadWaiter(query, f));
          }
        };
    if (!isRunning() || !loop.execute(task)) {
      f.completeExceptionally(new NodeStoppedException(notRunning()));
    }
    return (CompletableFuture<R>) f;
  }

  /**
   * The node this one takes as the stable leader (R13): itself while it leads, else the owner of
   * the highest ballot it promised; empty if none, or while the node is not running. A hint, not
   * a guarantee: leadership may have moved on. Never blocks.
   *
   * @return the leader's id, or empty
   */
  public OptionalInt leaderId() {
    int leader = snapshot.leadership().leaderId();
    return leader == 0 ? OptionalInt.empty() : OptionalInt.of(leader);
  }

  /** {@return this node's role, leader and promised ballot, as of its last batch} Never blocks. */
  public Leadership leadership() {
    return snapshot.leadership();
  }

  /**
   * Calls {@code listener} with the new {@link Leadership} whenever this node's role, leader or
   * promised ballot changes, on the event loop, after the batch that changed it and before its
   * futures complete; once more with {@link Leadership#STOPPED} when the node stops. The
   * listener must not block; an exception it throws is logged and ignored. Returns a handle
   * whose {@code close()} removes the listener.
   *
   * @param listener told of each change
   * @return closes to remove the listener
   */
  public AutoCloseable onLeadershipChange(Consumer<Leadership> listener) {
    Objects.requireNonNull(listener, "listener");
    leadershipListeners.add(listener);
    return () -> leadershipListeners.remove(listener);
  }

  /**
   * The last committed slot. Never blocks: on the loop thread (in {@code apply} or a callback) it
   * is the replica's own, elsewhere as of the last batch carried out.
   *
   * @return the last committed slot
   */
  public long committedSlot() {
    requireRunning();
    return loop.inLoop() ? replica.committedSlot() : snapshot.committedSlot();
  }

  /** {@return the local log: this node's entries not yet chosen, in submit order} */
  public List<Entry> localLog() {
    return query(() -> replica.localLog());
  }

  /**
   * R20: the highest slot whose block this node dropped after a snapshot; 0 if none. {@link
   * #chosenBlocks} returns nothing at or below it.
   *
   * @return the compacted slot
   */
  public long compactedSlot() {
    return query(() -> replica.compactedSlot());
  }

  /** {@return R20: the slot of this node's newest snapshot, taken or installed; 0 if none} */
  public long snapshotSlot() {
    return query(() -> replica.snapshotSlot());
  }

  /** {@return R20: snapshots this node took, installed from a peer, and discarded} */
  public SnapshotCounts snapshotCounts() {
    return query(() -> new SnapshotCounts(
        snapshots.taken(), snapshots.installed(), snapshots.installsDiscarded()));
  }

  /**
   * R20: what {@link #snapshotCounts()} reports.
   *
   * @param taken snapshots this node wrote
   * @param installed snapshots installed from a peer
   * @param discarded fetched snapshots that failed their checksum
   */
  public record SnapshotCounts(long taken, long installed, long discarded) {}

  /**
   * Up to {@code max} chosen blocks from {@code fromSlot} on (slot {@code fromSlot + i}).
   *
   * @param fromSlot the first slot wanted
   * @param max the most blocks returned
   * @return the blocks, in slot order
   */
  public List<Block> chosenBlocks(long fromSlot, int max) {
    return query(() -> replica.chosenBlocks(fromSlot, max));
  }

  /**
   * True while this node is the stable leader (R13). Never blocks, like {@link #committedSlot}.
   *
   * @return true while this node is the stable leader
   */
  public boolean isLeader() {
    requireRunning();
    return loop.inLoop() ? replica.isLeader() : snapshot.leader();
  }

  /**
   * True while this node votes, proposes and accepts submits (R16). False for a non-voting
   * learner, and for a node that is not running. Never blocks, never throws.
   *
   * @return true while this node votes
   */
  public boolean isVoting() {
    return snapshot.notVotingReason() == null;
  }

  /**
   * True if this node takes submits now: it votes, and it is not fencing the entry ids a crash
   * may have left in flight (docs/PROTOCOL.md R15, "Reserved ids"). An application that checks
   * new work against its view of the applied state plus its own pending entries (the bank's
   * balance check) computes that view only while this is true: during the fence, entries this
   * node sent before the crash may still be chosen, and it no longer holds them. Never blocks.
   *
   * @return true while submits are taken
   */
  public boolean acceptsSubmits() {
    Snapshot s = snapshot;
    return s.notVotingReason() == null && s.submitRefusal() == null;
  }

  /**
   * Why this node does not vote, in one line; null while it votes. Never blocks or throws. For a
   * node a failure stopped (a store that could not persist, such as on a full disk), this is
   * {@code "node N is not running: <the failure>"}.
   *
   * @return the reason, or null
   */
  public String notVotingReason() {
    return snapshot.notVotingReason();
  }

  /**
   * {@return rounds, messages, chosen entries and latencies so far; waits for the current batch}
   */
  public NodeMetrics metrics() {
    return query(
        () ->
            counters.snapshot(
                id,
                replica.committedSlot(),
                replica.chosenEntries(),
                replica.localLogSize(),
                replica.rejectedForeign(),
                transport.rpcStats()));
  }

  /**
   * Inbound messages dropped because the node was stopped or its queue was full.
   *
   * @return how many inbound messages were dropped
   */
  public long inboundDropped() {
    return inboundDropped.get();
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /**
   * Stops the loop after its current batch, then the transport, and closes the store cleanly.
   * Every future still pending fails with {@link NodeStoppedException}. Idempotent; may be called
   * from the loop itself (a callback), and then does not wait for the loop.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (state.getAndSet(State.STOPPED) == State.NEW) {
      publishStopped();
      return; // never started: nothing to release
    }
    loop.stop();
    transport.close();
    if (ownSnapshotThread != null) {
      ownSnapshotThread.shutdownNow();
    }
    closeStore();
  }

  // ---- the loop -----------------------------------------------------------------------------

  /** Package-private, for tests: the replica, loop-confined. */
  Replica replica() {
    return replica;
  }

  private final class LoopWork implements NodeLoop.Work {
    @Override
    public void tick() {
      replica.tick();
      snapshots.tick();
      membershipOps.check();
    }

    @Override
    public void endOfBatch() {
      // A snapshot install finishes after the batch that completed it was carried out (R20),
      // and its own effects (blocks buffered after the snapshot's slot, catch-up requests) are
      // carried out at once, in the same batch: between batches, what the replica committed is
      // applied.
      boolean installed;
      do {
        Ready r = replica.ready();
        if (r.isEmpty()) {
          publish();
        } else if (!executor.execute(r)) {
          throw new Halted();
        }
        installed = snapshots.afterBatch();
      } while (installed);
    }

    @Override
    public void ended(Throwable cause, List<Runnable> neverRun) {
      onEnded(cause, neverRun);
    }
  }

  /** Step 4 of each Ready: settles the futures (the executor calls these in this order). */
  private final class Completions implements ReadyExecutor.Listener {
    @Override
    public void carriedOut(Ready ready) {
      batchNanos = loop.nanoTime();
      publish(); // before any future completes: a woken caller sees this batch's state
      membershipOps.check();
    }

    @Override
    public void durable(Entry entry) {
      CompletableFuture<EntryId> f = durableWaiters.remove(entry.id());
      if (f != null) {
        f.complete(entry.id());
      }
    }

    @Override
    public void chosen(SlotBlock chosen, List<?> results) {
      snapshots.applied(chosen);
      int i = 0; // the entry's index in the block the application saw (no control entries)
      for (Entry e : chosen.block().entries()) {
        if (e.id().isControl()) {
          continue;
        }
        Waiter w = chosenWaiters.remove(e.id());
        if (w != null) {
          inFlight.decrementAndGet();
          counters.committedEntry(batchNanos - w.submitNanos());
          w.future().complete(chosen.slot());
          w.result().complete(results.isEmpty() ? null : results.get(i));
        }
        i++;
      }
    }

    @Override
    public void readReady(long ticket) {
      ReadWaiter w = readWaiters.remove(ticket);
      if (w != null) {
        try {
          w.future().complete(w.query().get());
        } catch (RuntimeException e) {
          w.future().completeExceptionally(e);
        }
      }
    }

    @Override
    public void readFailed(long ticket) {
      ReadWaiter w = readWaiters.remove(ticket);
      if (w != null) {
        w.future().completeExceptionally(
            new RoundFailedException(
                "node " + id + ": read not served: no majority answered with its read index"
                    + " within " + 10L * config.roundTimeoutTicks() + " ticks"));
      }
    }

    @Override
    public void roundEvent(RoundEvent event) {
      counters.roundEvent(event, batchNanos);
    }

    @Override
    public void roundDone(long ticket) {
      CompletableFuture<Void> f = roundWaiters.remove(ticket);
      if (f != null) {
        f.complete(null);
      }
    }

    @Override
    public void roundFailed(long ticket) {
      CompletableFuture<Void> f = roundWaiters.remove(ticket);
      if (f != null) {
        f.completeExceptionally(
            new RoundFailedException(
                "node " + id + ": no majority answered after " + config.roundAttemptsMax()
                    + " attempts"));
      }
    }
  }

  private void onInbound(Stamp stamp, Message m) {
    if (loop.queued() >= QUEUED_TASKS_MAX || !loop.execute(() -> step(stamp, m))) {
      inboundDropped.incrementAndGet();
    }
  }

  private void step(Stamp stamp, Message m) {
    if (!replica.admits(stamp, m)) { // R2: another cluster's, dropped unread and counted
      foreignLog.rejected(stamp, m, replica.rejectedForeign());
      return;
    }
    counters.received(m.type());
    if (Snapshots.handles(m)) {
      snapshots.step(m); // R20: I/O the pure core leaves to the runtime
    } else {
      replica.step(m); // the stamp was checked above: Replica.step(Stamp, Message) without it
    }
  }

  /** On the loop: stamps {@code m} with this node's cluster and current epoch (R2) and sends it. */
  private void send(Message m) {
    counters.sent(m.type());
    transport.send(replica.stamp(), m);
  }

  /** On the loop, once: fails every future still pending and every queued request. */
  private void onEnded(Throwable cause, List<Runnable> neverRun) {
    NodeStoppedException stopped;
    if (cause == null) {
      stopped = new NodeStoppedException("node " + id + " stopped");
    } else {
      failure = cause;
      stopped = new NodeStoppedException("node " + id + " stopped: " + oneLine(cause), cause);
      if (!(cause instanceof Halted)) {
        log.error("node {} stopped: {}", id, oneLine(cause), cause);
      }
    }
    state.set(State.STOPPED);
    publishStopped();
    for (Runnable t : neverRun) {
      if (t instanceof Pending p) {
        p.fail(stopped); // accepted but never run: its caller still waits on these futures
      }
    }
    durableWaiters.values().forEach(f -> f.completeExceptionally(stopped));
    chosenWaiters.values().forEach(w -> {
      w.future().completeExceptionally(stopped);
      w.result().completeExceptionally(stopped);
    });
    roundWaiters.values().forEach(f -> f.completeExceptionally(stopped));
    readWaiters.values().forEach(w -> w.future().completeExceptionally(stopped));
    if (membershipOps != null) {
      membershipOps.failAll(stopped);
    }
    durableWaiters.clear();
    chosenWaiters.clear();
    roundWaiters.clear();
    readWaiters.clear();
    inFlight.set(0);
  }

  /** On the loop: publishes the replica's state for queries from any thread. */
  private void publish() {
    Snapshot s = snapshot;
    long committed = replica.committedSlot();
    int local = replica.localLogSize();
    String notVoting = replica.notVotingReason();
    String refusal = notVoting == null ? replica.submitRefusal() : null;
    Leadership leadership = leadershipNow(notVoting);
    Configuration configuration = s.configuration();
    if (configuration.epoch() != replica.membershipEpoch()
        || configuration.inForceEpoch() != configuration.epoch()) {
      configuration = replica.configuration();
    }
    if (s.committedSlot() != committed
        || !s.leadership().equals(leadership)
        || s.localLogSize() != local
        || !Objects.equals(s.notVotingReason(), notVoting)
        || !Objects.equals(s.submitRefusal(), refusal)
        || s.configuration() != configuration) {
      snapshot = new Snapshot(committed, leadership, local, notVoting, configuration, refusal);
      if (!s.leadership().equals(leadership)) {
        tellLeadership(leadership);
      }
    }
  }

  private Leadership leadershipNow(String notVoting) {
    Leadership.Role role =
        notVoting != null ? Leadership.Role.LEARNER
            : replica.isLeader() ? Leadership.Role.LEADER : Leadership.Role.FOLLOWER;
    int leader = replica.isLeader() ? id : replica.leaderHint();
    return new Leadership(role, leader, replica.promised());
  }

  private void tellLeadership(Leadership leadership) {
    for (Consumer<Leadership> l : leadershipListeners) {
      try {
        l.accept(leadership);
      } catch (RuntimeException e) {
        log.warn("node {}: a leadership listener failed: {}", id, oneLine(e), e);
      }
    }
  }

  private void publishStopped() {
    Snapshot s = snapshot;
    // With the failure that stopped it, if any (a full disk, say): a stopped node says why.
    snapshot = new Snapshot(s.committedSlot(), Leadership.STOPPED, s.localLogSize(), notRunning(),
        s.configuration(), null);
    if (!s.leadership().equals(Leadership.STOPPED)) {
      tellLeadership(Leadership.STOPPED);
    }
  }

  private void closeStore() {
    if (store.keepsIdFloor() && replica != null && failure == null) {
      // R15: a clean stop clears the id floor, so the next start fences nothing. Everything
      // written before is synced first: a crash now must never keep the cleared floor without
      // the entries it vouched for.
      try {
        store.sync();
        store.saveIdFloor(IdFloor.NONE);
      } catch (RuntimeException e) {
        log.warn("node {}: clearing the id floor failed: {}", id, e.toString());
      }
    }
    try {
      store.close();
    } catch (RuntimeException e) {
      log.warn("node {}: closing the store failed: {}", id, e.toString());
    }
  }

  private void requireRunning() {
    if (!isRunning()) {
      Throwable f = failure;
      throw new NodeStoppedException(notRunning(), f);
    }
  }

  private String notRunning() {
    Throwable f = failure;
    return "node " + id + " is not running" + (f == null ? "" : ": " + oneLine(f));
  }

  /** Answers {@code query} on the loop: at once if called there, else after its current work. */
  private <T> T query(Supplier<T> query) {
    requireRunning();
    if (loop.inLoop()) {
      return query.get();
    }
    CompletableFuture<T> f = new CompletableFuture<>();
    Pending task =
        new Pending(f) {
          @Override
          public void run() {
            try {
              f.complete(query.get());
            } catch (RuntimeException e) {
              f.completeExceptionally(e);
            }
          }
        };
    if (!loop.execute(task)) {
      throw new NodeStoppedException(notRunning());
    }
    try {
      return f.get(READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NodeStoppedException("interrupted while reading node " + id, e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw new NodeStoppedException("node " + id + " did not answer: " + oneLine(c), c);
    } catch (TimeoutException e) {
      throw new NodeStoppedException(
          "node " + id + " did not answer within " + READ_TIMEOUT_MILLIS + " ms", e);
    }
  }

  /** The first line of what {@code t} says, for one-line log and exception messages. */
  private static String oneLine(Throwable t) {
    String m = t.getMessage() != null ? t.getMessage() : t.toString();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  /**
   * Configures a {@link PaxosNode}; transport, store and application are required. Not thread-safe.
   */
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
    private NodeLoop loop;
    private ReplicaFactory replicaFactory = Replica::new;
    private ReadyExecutor.Hook hook = ReadyExecutor.Hook.NONE;
    private long snapshotEverySlots;
    private long snapshotEveryBytes;
    private long compactionTailSlots = 1000;
    private int snapshotChunkBytes = 256 << 10;
    private java.util.concurrent.Executor snapshotExecutor;

    Snapshots.Policy snapshotPolicy() {
      return new Snapshots.Policy(
          snapshotEverySlots, snapshotEveryBytes, compactionTailSlots, snapshotChunkBytes);
    }

    /**
     * R20: take a snapshot every {@code slots} committed slots (0, the default: never by slots).
     * Needs a {@link SnapshotApplication} and a store that {@link Store#supportsSnapshots()}.
     *
     * @param slots slots between snapshots, or 0
     * @return this builder
     */
    public Builder snapshotEverySlots(long slots) {
      snapshotEverySlots = requireNotNegative("snapshotEverySlots", slots);
      return this;
    }

    /**
     * R20: take a snapshot once this many payload bytes were applied since the last (0: never).
     *
     * @param bytes payload bytes between snapshots, or 0
     * @return this builder
     */
    public Builder snapshotEveryBytes(long bytes) {
      snapshotEveryBytes = requireNotNegative("snapshotEveryBytes", bytes);
      return this;
    }

    /**
     * R20: blocks kept below a snapshot's slot for peers slightly behind (default 1000); a peer
     * further behind installs the snapshot instead.
     *
     * @param slots blocks kept below the snapshot's slot
     * @return this builder
     */
    public Builder compactionTailSlots(long slots) {
      compactionTailSlots = requireNotNegative("compactionTailSlots", slots);
      return this;
    }

    /**
     * R20: the most snapshot bytes one message carries (default 256 KiB).
     *
     * @param bytes 1 KiB to 4 MiB
     * @return this builder
     */
    public Builder snapshotChunkBytes(int bytes) {
      if (bytes < 1024 || bytes > 4 << 20) {
        throw new IllegalArgumentException(
            "snapshotChunkBytes must be 1 KiB .. 4 MiB, got " + bytes);
      }
      snapshotChunkBytes = bytes;
      return this;
    }

    /** For the simulator: where an own snapshot is written (default: a thread of the node). */
    Builder snapshotExecutor(java.util.concurrent.Executor v) {
      snapshotExecutor = Objects.requireNonNull(v, "snapshotExecutor");
      return this;
    }

    private static long requireNotNegative(String name, long v) {
      if (v < 0) {
        throw new IllegalArgumentException(name + " must be >= 0, got " + v);
      }
      return v;
    }

    private Builder(ReplicaConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * @param v the node's transport (required)
     * @return this builder
     */
    public Builder transport(Transport v) {
      transport = v;
      return this;
    }

    /**
     * @param v the node's store (required); the node closes it
     * @return this builder
     */
    public Builder store(Store v) {
      store = v;
      return this;
    }

    /**
     * @param v the state machine chosen blocks are applied to (required)
     * @return this builder
     */
    public Builder application(Application v) {
      application = v;
      return this;
    }

    /**
     * Length of one logical tick; timeouts in {@link ReplicaConfig} count these. Default 10.
     *
     * @param v milliseconds, {@code > 0}
     * @return this builder
     */
    public Builder tickMillis(long v) {
      if (v <= 0) {
        throw new IllegalArgumentException("tickMillis must be > 0, got " + v);
      }
      tickMillis = v;
      return this;
    }

    /**
     * Local-log size at which {@code submit} fails fast. Default 100,000.
     *
     * @param v entries, {@code > 0}
     * @return this builder
     */
    public Builder localLogEntriesMax(int v) {
      if (v <= 0) {
        throw new IllegalArgumentException("localLogEntriesMax must be > 0, got " + v);
      }
      localLogEntriesMax = v;
      return this;
    }

    /**
     * Submits not yet chosen at which {@code submit} fails fast. Default 100,000.
     *
     * @param v submits, {@code > 0}
     * @return this builder
     */
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
     *
     * @param v true only on a founding member's first start
     * @return this builder
     */
    public Builder bootstrap(boolean v) {
      bootstrap = v;
      return this;
    }

    /**
     * Where the nonce of a new incarnation comes from (R16, R17). Default {@link
     * java.security.SecureRandom}; the simulator passes a seeded source.
     *
     * @param v the source of boot nonces
     * @return this builder
     */
    public Builder nonceSource(LongSupplier v) {
      nonceSource = Objects.requireNonNull(v, "nonceSource");
      return this;
    }

    /** Package-private, for tests and the simulator: who runs the node's work, and when. */
    Builder loop(NodeLoop v) {
      loop = Objects.requireNonNull(v, "loop");
      return this;
    }

    /** Package-private, for tests and the simulator: how {@code start()} builds the replica. */
    Builder replicaFactory(ReplicaFactory v) {
      replicaFactory = Objects.requireNonNull(v, "replicaFactory");
      return this;
    }

    /** Package-private, for the simulator: watches, and may stop, each Ready part-way. */
    Builder hook(ReadyExecutor.Hook v) {
      hook = Objects.requireNonNull(v, "hook");
      return this;
    }

    /**
     * Builds the node; call {@link PaxosNode#start()} to run it. Throws {@link
     * IllegalArgumentException} with a one-line reason, building nothing, if the transport knows
     * its peers ({@link Transport#peers()}) and they lack this node or a founding member, or if
     * snapshots are on without a snapshotting application and store.
     *
     * @return the node, not started
     */
    public PaxosNode build() {
      Objects.requireNonNull(transport, "transport");
      Objects.requireNonNull(store, "store");
      Objects.requireNonNull(application, "application");
      requirePeers(config, transport.peers());
      if (snapshotPolicy().enabled() && !(application instanceof SnapshotApplication)) {
        throw new IllegalArgumentException(
            "snapshots are on (snapshotEverySlots/snapshotEveryBytes) but the application does"
                + " not implement SnapshotApplication");
      }
      if (snapshotPolicy().enabled() && !store.supportsSnapshots()) {
        throw new IllegalArgumentException(
            "snapshots are on but " + store.getClass().getSimpleName() + " keeps no snapshots");
      }
      return new PaxosNode(this);
    }

    /**
     * Start-up validation (R2): the transport must know an address for every founding member and
     * for this node (which may be a joiner outside the founding members). Null: it cannot tell.
     */
    private static void requirePeers(ReplicaConfig config, Set<Integer> peers) {
      if (peers == null) {
        return;
      }
      Set<Integer> known = new java.util.TreeSet<>(peers);
      if (!known.contains(config.nodeId())) {
        throw new IllegalArgumentException(
            "node " + config.nodeId() + " is not among its transport's peers " + known
                + "; give the transport this node's own address");
      }
      List<Integer> missing = new java.util.ArrayList<>(config.members());
      missing.removeAll(known);
      if (!missing.isEmpty()) {
        throw new IllegalArgumentException(
            "node " + config.nodeId() + ": the transport knows no address for founding member"
                + (missing.size() == 1 ? " " : "s ") + missing + " of " + config.members()
                + " (it knows " + known + "); give the transport and the config the same members");
      }
    }
  }

  // ---- reads for the Micrometer binding and the bank's web view (issue 15) -------------------

  /**
   * {@return submits accepted and not chosen yet (at most the builder's inFlightSubmitsMax)}
   * Never blocks.
   */
  public int inFlightSubmits() {
    return inFlight.get();
  }
}
