package dev.modpaxos.sim;

import dev.modpaxos.local.InMemoryStore;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.Invariants;
import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.Ready;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.protocol.Replica;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.protocol.RoundEvent;
import dev.modpaxos.protocol.SlotBlock;
import dev.modpaxos.protocol.Stamp;
import dev.modpaxos.runtime.BackPressureException;
import dev.modpaxos.runtime.NodeStoppedException;
import dev.modpaxos.runtime.NotVotingException;
import dev.modpaxos.runtime.PaxosNode;
import dev.modpaxos.runtime.ReadyExecutor;
import dev.modpaxos.runtime.RuntimeTestAccess;
import dev.modpaxos.runtime.SimLoop;
import dev.modpaxos.spi.Application;
import dev.modpaxos.spi.ResultApplication;
import dev.modpaxos.spi.SnapshotApplication;
import dev.modpaxos.spi.StateLoss;
import dev.modpaxos.spi.StoredState;
import dev.modpaxos.spi.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * One simulated node: a real {@link PaxosNode} on a deterministic {@link SimLoop}, its {@link
 * InMemoryStore} (which outlives crashes), a transport that hands messages to the simulated
 * network, and the application its {@link SimModel} gives each incarnation. The node's own {@code ReadyExecutor} carries out every
 * Ready; this class watches it through the executor's hook, tells the checkers, and may crash the
 * node part-way through a Ready at any {@link CrashPoint}. A crash drops the PaxosNode without
 * closing anything (as kill -9 would); the store keeps a random subset of its unsynced writes.
 *
 * <p>Inputs reach the node through its public API, so the node batches them as it does in
 * production: a delivered message sometimes waits in the loop's queue and is carried out in one
 * Ready with the next inputs. Invariants are checked after every input.
 *
 * <p>The {@link ProtocolVariant#REPLY_BEFORE_PERSIST} variant lets a Ready's messages leave before
 * its writes are durable, to prove the checkers catch it. Not thread-safe.
 */
final class SimNode<A extends Application> implements SimNodeView<A> {
  static final String INVARIANTS = "Invariants";
  static final String RUNTIME = "SimNode";
  // A delivered message is carried out at once, except one in this many that waits for the next
  // input of the node (at the latest its next tick) and shares its Ready.
  private static final int DEFER_ONE_IN = 4;

  /** Where, within one Ready, a crash strikes. */
  enum CrashPoint {
    /**
     * Writes staged, some or all early messages sent (R15), chosen blocks applied if every early
     * message left, not synced: any subset of the writes since the last sync survives.
     */
    BEFORE_SYNC,
    /** Persisted, only the early messages sent. */
    BEFORE_SEND,
    /** Some of the messages sent. */
    MID_SEND,
    /** Writes staged and early messages sent, nothing applied, not synced: any subset survives. */
    BEFORE_APPLY
  }

  /** What the node needs from the simulation around it. */
  interface Env<A extends Application> {
    long now();

    /** A random number in {@code [0, bound)} from the run's one random stream. */
    int nextInt(int bound);

    /** A random long from the run's one random stream. */
    default long nextLong() {
      return ((long) nextInt(1 << 30) << 34) ^ ((long) nextInt(1 << 30) << 4) ^ nextInt(16);
    }

    /** Where this Ready is interrupted by a crash, or null to carry it out whole. */
    CrashPoint crashPoint();

    /** True if {@code node} may become impaired (lose or tear state) now. */
    boolean mayImpair(SimNode<?> node);

    void send(Stamp stamp, Message m);

    void crashed(SimNode<?> node, String where);

    void roundEvent(int node, RoundEvent event);

    Checker<A> checker();

    Violations violations();

    SimTrace trace();

    /** R20: take a snapshot every this many slots (0: never); only for a SnapshotApplication. */
    default long snapshotEverySlots() {
      return 0;
    }

    /** R20: blocks kept below a snapshot. */
    default long compactionTailSlots() {
      return 0;
    }
  }

  private final int id;
  private final ProtocolVariant variant;
  private final SimModel<A> model;
  private final Env<A> env;
  private final InMemoryStore store = new InMemoryStore();
  private final CrashHook hook = new CrashHook();
  // Null while the node is down.
  private PaxosNode node;
  private SimLoop loop;
  private Transport.Inbound inbound;
  private A app;
  private Application nodeApp;
  // R20, over every incarnation: snapshots written, and installed from a peer.
  private long snapshots;
  private long installs;
  // Boots whose store handed over chosen blocks above a damaged slot (R16).
  private long asideBoots;
  private long floorBoots;
  // runRound() futures of this incarnation not yet seen settled.
  private final List<CompletableFuture<Void>> openRounds = new ArrayList<>();
  // Reads called on this node, over every incarnation: each read's number.
  private long readsCalled;
  // The last slot this incarnation applied (a restart replays from slot 1).
  private long appliedSlot;
  // True once this node's identity was durable in its store.
  private boolean founded;
  // Set when the disk lost state on purpose; cleared once the node votes again.
  private boolean amnesiac;

  SimNode(int id, ProtocolVariant variant, SimModel<A> model, Env<A> env) {
    this.id = id;
    this.variant = variant;
    this.model = model;
    this.env = env;
  }

  @Override
  public int id() {
    return id;
  }

  boolean isUp() {
    return node != null;
  }

  /** True while up and voting (R16). */
  /** R21: asks this node to add {@code id} as a voter (learner, joined, caught up, promoted). */
  java.util.concurrent.CompletableFuture<?> addMember(int id) {
    return node.addMember(id);
  }

  /** R21: asks this node to remove member {@code id}. */
  java.util.concurrent.CompletableFuture<?> removeMember(int id) {
    return node.removeMember(id);
  }

  boolean isVoting() {
    return node != null && node.isVoting();
  }

  /** Only while up. */
  @Override
  public A application() {
    return app;
  }

  /** The store, which outlives every incarnation. */
  InMemoryStore store() {
    return store;
  }

  /** Only while up: the local log, as the node's own query answers it. */
  @Override
  public List<Entry> localLog() {
    return node.localLog();
  }

  /** True while this node's store reports lost state or it does not vote (R16). */
  boolean acceptorStateLost() {
    if (amnesiac && isVoting() && RuntimeTestAccess.replica(node).votesCountNow()) {
      amnesiac = false; // re-admitted under a new generation (R17), now in force (R21)
    }
    return amnesiac
        || tornVote()
        || !store.losses().isEmpty()
        || (store.identity() != null && store.identity().isPending())
        || (node != null && !node.isVoting())
        || (node != null && node.isRunning() && !RuntimeTestAccess.replica(node).votesCountNow());
  }

  /**
   * A vote for slot k whose chosen block k - LIMIT a crash lost: it cannot vote on the slots up
   * to k - LIMIT until it fetched them (R15, R18).
   */
  private boolean tornVote() {
    if (node != null && node.isRunning()) {
      Replica r = RuntimeTestAccess.replica(node);
      return r.accepted() != null
          && r.accepted().slot() - ReplicaConfig.PIPELINE_SLOTS_LIMIT > r.committedSlot();
    }
    StoredState s = store.load();
    return s.lastAccepted() != null
        && s.lastAccepted().slot() - ReplicaConfig.PIPELINE_SLOTS_LIMIT > s.chosenSlot();
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  /**
   * Boots a new incarnation from what the store holds: the PaxosNode replays the chosen blocks
   * and asks for catch-up. {@code bootstrap} marks a founding member of the run; it boots with
   * {@code bootstrap(true)} only until its identity is durable: a crash before that sync sent
   * nothing, so starting over is safe; after it, an empty store means a wiped disk (R16).
   */
  void start(ReplicaConfig config, boolean bootstrap) {
    StoredState held = store.load();
    asideBoots += held.chosenAhead().isEmpty() ? 0 : 1;
    floorBoots += held.idFloor().isNone() ? 0 : 1;
    env.checker().onRestarted(id, held.compactedSlot() + 1, held.chosen(),
        store.syncedChosenAtLastCrash());
    app = model.newApplication();
    nodeApp = model.nodeApplication(app);
    appliedSlot = 0;
    loop = new SimLoop(this::checkInvariants);
    boolean snapshotting = nodeApp instanceof SnapshotApplication && env.snapshotEverySlots() > 0;
    PaxosNode.Builder b =
        RuntimeTestAccess.simulated(PaxosNode.builder(config), loop, hook, variant::newReplica)
            .transport(new Wire())
            .store(store)
            .application(nodeApp instanceof SnapshotApplication ? new SnapshottingApp()
                : nodeApp instanceof ResultApplication
                    ? (ResultApplication) this::applyWithResults : this::apply)
            .bootstrap(bootstrap && !founded)
            .nonceSource(env::nextLong);
    if (snapshotting) {
      // Written inline: deterministic, and a crash may still strike between the commit and the
      // compaction, which the node does in a later task (R20).
      RuntimeTestAccess.snapshotsInline(b)
          .snapshotEverySlots(env.snapshotEverySlots())
          .compactionTailSlots(env.compactionTailSlots())
          .snapshotChunkBytes(1024);
    }
    PaxosNode n = b.build();
    node = n;
    try {
      n.start();
    } catch (IllegalStateException e) {
      env.violations().report(RUNTIME, "node " + id + " did not start: " + e.getMessage());
      down("at start-up");
      return;
    }
    if (env.trace().on()) {
      Replica r = RuntimeTestAccess.replica(n);
      env.trace().line(env.now(), "n" + id + " start committed=" + r.committedSlot()
          + " local=" + r.localLogSize() + " promised=" + r.promised()
          + " accepted=" + r.accepted() + " voting=" + r.isVoting());
    }
    settle(); // the catch-up request start() queued
  }

  /** Crashes the node between inputs; the store keeps a random subset of unsynced writes. */
  void crash(String where) {
    if (node == null) {
      return;
    }
    store.crash(i -> env.nextInt(2) == 0);
    down(where);
  }

  /**
   * Crashes the node and damages its disk (R16): {@code store.lose} for each of {@code what}; the
   * store reports them at boot, so the restarted node must start a new incarnation.
   */
  void crashLosing(Set<StateLoss> what) {
    if (node == null) {
      return;
    }
    store.crash();
    StoredState before = store.load();
    SplittableRandom random = new SplittableRandom(env.nextLong());
    List<StateLoss> lost = new ArrayList<>();
    for (StateLoss loss : StateLoss.values()) { // in enum order: Set.of iterates at random
      if (what.contains(loss)) {
        store.lose(loss, random);
        lost.add(loss);
      }
    }
    reportLost(before);
    amnesiac = true;
    down("idle, losing " + lost);
  }

  /** Crashes the node and empties its data directory: the store is as new, and says nothing. */
  void wipeAndCrash() {
    if (node == null) {
      return;
    }
    store.crash();
    StoredState before = store.load();
    store.wipe();
    reportLost(before);
    amnesiac = true;
    down("idle, its store wiped");
  }

  /** Crashes the node for good: it never comes back, and what only it held is gone. */
  void loseForGood() {
    if (node == null) {
      return;
    }
    store.crash();
    StoredState before = store.load();
    store.wipe();
    reportLost(before);
    down("for good");
  }

  private void reportLost(StoredState before) {
    StoredState after = store.load();
    List<Entry> lost = new ArrayList<>(before.localLog());
    lost.removeAll(after.localLog());
    env.checker().onStateLost(id, after.compactedSlot() + 1, after.chosen(), lost);
  }

  private void down(String where) {
    if (store.unsyncedWrites() > 0) {
      // A crash after the sync: the chosen blocks and removals written since need no sync of
      // their own (R15), so any subset of them survives.
      store.crash(i -> env.nextInt(2) == 0);
    }
    node = null; // dropped, never closed: closing would sync the store
    loop = null;
    inbound = null;
    app = null;
    nodeApp = null;
    openRounds.clear();
    hook.crashedAt = null;
    env.crashed(this, where);
  }

  // ---- inputs ---------------------------------------------------------------------------------

  /** Submits through {@code PaxosNode.submit}; false if the node is down or refused it. */
  boolean submit(byte[] payload) {
    if (node == null) {
      return false;
    }
    try {
      node.submit(payload);
    } catch (NotVotingException | BackPressureException | NodeStoppedException e) {
      return false;
    }
    if (env.trace().on()) {
      env.trace().line(env.now(), "n" + id + " submit " + java.util.HexFormat.of()
          .formatHex(payload, 0, Math.min(4, payload.length)));
    }
    settle();
    return true;
  }

  /** Calls {@code runRound()} and remembers its future until the round settles. */
  void runRound() {
    if (node == null) {
      return;
    }
    openRounds.add(node.runRound());
    if (env.trace().on()) {
      env.trace().line(env.now(), "n" + id + " runRound");
    }
    settle();
  }

  /**
   * Starts a linearizable read through {@code PaxosNode.read} (R19); its query notes the slot
   * this node had applied when it ran, and runs {@code query} (may be null) on the application.
   * The checkers see it called, then served or failed.
   */
  void read(Function<? super A, ?> query) {
    if (node == null) {
      return;
    }
    long read = ++readsCalled;
    env.checker().onReadCalled(id, read);
    A state = app;
    node.read(() -> servedAt(read, state, query))
        .whenComplete((slot, failure) -> {
          if (failure != null) {
            env.checker().onReadFailed(id, read, failure);
          } else {
            env.checker().onReadServed(id, read, slot);
          }
          if (env.trace().on()) {
            env.trace().line(env.now(), "n" + id + " read#" + read + (failure != null
                ? " failed: " + failure.getClass().getSimpleName() : " served at slot " + slot));
          }
        });
    if (env.trace().on()) {
      env.trace().line(env.now(), "n" + id + " read#" + read + " called");
    }
    settle();
  }

  /** A read's query, on the loop: the slot applied now; a throwing user query is a violation. */
  private long servedAt(long read, A state, Function<? super A, ?> query) {
    if (query != null) {
      try {
        query.apply(state);
      } catch (RuntimeException e) {
        env.violations().report(RUNTIME, "node " + id + " read#" + read + ": the query threw " + e);
      }
    }
    return appliedSlot;
  }

  /** True while a {@code runRound()} of this incarnation has not settled. */
  boolean hasOpenRound() {
    openRounds.removeIf(CompletableFuture::isDone);
    return !openRounds.isEmpty();
  }

  /** One tick, batched with every input still queued. */
  void tick() {
    if (node == null) {
      return;
    }
    loop.tick();
    afterBatch();
  }

  /** Hands {@code m} to the node's transport; carried out at once or with the next input. */
  void deliver(Stamp stamp, Message m) {
    if (node == null) {
      return;
    }
    inbound.deliver(stamp, m);
    if (env.nextInt(DEFER_ONE_IN) != 0) {
      settle();
    }
  }

  /** Runs the queued inputs as one batch, then notices a crash or failure. */
  private void settle() {
    loop.runQueued();
    afterBatch();
  }

  private void afterBatch() {
    if (node == null || loop.isRunning()) {
      return;
    }
    String where = hook.crashedAt;
    if (where == null) {
      env.violations().report(RUNTIME, "node " + id + " stopped: " + loop.failure());
      store.crash();
      where = "after a failure";
    }
    down(where);
  }

  private void checkInvariants() {
    try {
      Invariants.check(RuntimeTestAccess.replica(node));
    } catch (IllegalStateException e) {
      env.violations().report(INVARIANTS, "node " + id + ": " + e.getMessage());
    }
  }

  /** The node's application; a throw (e.g. on a bad payload) is a violation and stops the node. */
  private void apply(long slot, Block block) {
    applyWithResults(slot, block);
  }

  /** The same, for a {@link ResultApplication}: its results go back to the submitters. */
  private List<?> applyWithResults(long slot, Block block) {
    try {
      if (nodeApp instanceof ResultApplication r) {
        return r.applyWithResults(slot, block);
      }
      nodeApp.apply(slot, block);
      return List.of();
    } catch (RuntimeException e) {
      env.violations().report(RUNTIME, "node " + id + " cannot apply slot " + slot + ": " + e);
      throw e;
    }
  }

  /** R20: snapshots this node wrote and installed, over all its incarnations. */
  long snapshots() {
    return snapshots;
  }

  long installs() {
    return installs;
  }

  long asideBoots() {
    return asideBoots;
  }

  long floorBoots() {
    return floorBoots;
  }

  /**
   * The node's application when the user's is a {@link SnapshotApplication}: applies as the
   * others do, and tells the checkers when a snapshot replaced the state (R20).
   */
  private final class SnapshottingApp implements ResultApplication, SnapshotApplication {
    private final SnapshotApplication user = (SnapshotApplication) nodeApp;

    @Override
    public List<?> applyWithResults(long slot, Block block) {
      return SimNode.this.applyWithResults(slot, block);
    }

    @Override
    public SnapshotWriter snapshot(long slot) {
      snapshots++;
      return user.snapshot(slot);
    }

    @Override
    public void restore(long slot, java.io.InputStream in) throws java.io.IOException {
      user.restore(slot, in);
      boolean installed = node != null && node.isRunning();
      installs += installed ? 1 : 0;
      appliedSlot = slot;
      if (env.trace().on()) {
        env.trace().line(env.now(), "n" + id + (installed ? " installed" : " restored")
            + " snapshot slot=" + slot);
      }
      env.checker().onRestored(id, slot, installed, app);
    }
  }

  /** The node's transport: sends into the simulated network; delivery comes from {@link #deliver}. */
  private final class Wire implements Transport {
    @Override
    public void start(Inbound in) {
      inbound = in;
    }

    @Override
    public void send(Stamp stamp, Message m) {
      env.send(stamp, m);
    }

    @Override
    public void close() {}
  }

  /** Watches the node's ReadyExecutor: tells the checkers, and crashes part-way when told to. */
  private final class CrashHook implements ReadyExecutor.Hook {
    private CrashPoint crash;
    // Set when this hook stopped a Ready: why the node is down.
    private String crashedAt;

    @Override
    public int earlyMessagesToSend(Ready r) {
      for (Entry e : r.appended()) {
        env.checker().onSubmitted(id, e);
      }
      crashedAt = null;
      crash = env.crashPoint();
      int n = r.early().size();
      int cut = n;
      if (crash == CrashPoint.BEFORE_SYNC && !variant.sendsBeforePersist() && n > 0) {
        // R15: the early messages travel while the disk syncs; the crash may strike after any.
        cut = env.nextInt(n + 1);
        if (cut < n) {
          tear("after sending " + cut + "/" + n + " early messages");
        }
      }
      reportVotes(r, r.early().subList(0, cut));
      return cut;
    }

    /** Tells the agreement checker of each vote whose ACCEPTED is among {@code sent}. */
    private void reportVotes(Ready r, List<Message> sent) {
      for (Message m : sent) {
        if (m instanceof Message.Accepted a) {
          for (Proposal vote : r.accepted()) {
            if (vote.slot() == a.slot() && vote.ballot().equals(a.ballot())) {
              env.checker().onVoted(id, a.generation(), vote);
            }
          }
        }
      }
    }

    @Override
    public boolean beforeSync(Ready r) {
      if (variant.sendsBeforePersist() && crash != null) {
        return sendBeforePersist(r);
      }
      if (crash == CrashPoint.BEFORE_SYNC) {
        tear("before sync");
        return false;
      }
      return true;
    }

    /**
     * A crash before the sync: any subset of the unsynced writes survives (Store contract); a
     * torn vote impairs the node until it catches up, so the simulation allows one only while a
     * majority stays unimpaired.
     */
    private void tear(String when) {
      int unsynced = store.unsyncedWrites();
      boolean tear = env.mayImpair(SimNode.this);
      int lost = store.crash(i -> tear && env.nextInt(2) == 0);
      crashedAt = when + ", kept " + (unsynced - lost) + "/" + unsynced + " writes";
    }

    /** REPLY_BEFORE_PERSIST: some or all messages leave, then the node dies before its sync. */
    private boolean sendBeforePersist(Ready r) {
      List<Message> messages = r.messages();
      int cut =
          switch (crash) {
            case BEFORE_SYNC -> messages.size();
            case MID_SEND -> env.nextInt(messages.size() + 1);
            default -> 0;
          };
      reportVotes(r, messages.subList(0, cut));
      Stamp stamp = RuntimeTestAccess.replica(node).stamp();
      for (int i = 0; i < cut; i++) {
        env.send(stamp, messages.get(i));
      }
      int unsynced = store.unsyncedWrites();
      int lost = crash == CrashPoint.BEFORE_SYNC ? store.crash(i -> env.nextInt(2) == 0)
          : store.crash();
      crashedAt = "after sending " + cut + "/" + messages.size() + " messages unpersisted, kept "
          + (unsynced - lost) + "/" + unsynced + " writes";
      return false;
    }

    @Override
    public int messagesToSend(Ready r) {
      founded |= store.identity() != null;
      for (Entry e : r.appended()) {
        env.checker().onDurable(id, e);
      }
      int generation = RuntimeTestAccess.replica(node).generation();
      for (Proposal vote : r.accepted()) {
        env.checker().onVoted(id, generation, vote); // synced: it may count, also unsent (R15)
      }
      int n = r.messages().size();
      int cut =
          crash == CrashPoint.BEFORE_SEND ? 0
              : crash == CrashPoint.MID_SEND ? env.nextInt(n + 1) : n;
      reportVotes(r, r.messages().subList(0, cut));
      if (cut < n || crash == CrashPoint.BEFORE_SEND) {
        crashedAt = "after sending " + cut + "/" + n + " messages";
      }
      return cut;
    }

    @Override
    public boolean beforeApply(Ready r) {
      if (crash == CrashPoint.BEFORE_APPLY) {
        tear("before apply"); // R15: the chosen blocks apply before the batch's sync
        return false;
      }
      return true;
    }

    @Override
    public boolean beforeComplete(Ready r) {
      if (crashedAt != null) {
        return false; // BEFORE_SEND of a Ready without messages
      }
      for (RoundEvent ev : r.events()) {
        env.roundEvent(id, ev);
        if (env.trace().on()) {
          env.trace().line(env.now(), "n" + id + " " + ev.kind() + " ballot=" + ev.ballot()
              + " slot=" + ev.slot());
        }
      }
      if (env.trace().on() && (!r.roundsDone().isEmpty() || !r.roundsFailed().isEmpty())) {
        env.trace().line(env.now(), "n" + id + " rounds done=" + r.roundsDone() + " failed="
            + r.roundsFailed());
      }
      return true;
    }

    @Override
    public void applied(SlotBlock sb) {
      appliedSlot = sb.slot();
      if (env.trace().on()) {
        env.trace().line(env.now(), "n" + id + " commit slot=" + sb.slot() + " " + sb.block().entries());
      }
      env.checker().onApplied(id, sb, app);
    }
  }
}
