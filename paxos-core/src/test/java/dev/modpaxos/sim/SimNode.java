package dev.modpaxos.sim;

import dev.modpaxos.local.InMemoryStore;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Boot;
import dev.modpaxos.spi.StateLoss;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.Invariants;
import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.Ready;
import dev.modpaxos.protocol.Replica;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.protocol.RoundEvent;
import dev.modpaxos.protocol.SlotBlock;
import dev.modpaxos.spi.StoredState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.SplittableRandom;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One simulated node: a {@link Replica}, its {@link InMemoryStore} (which outlives crashes) and
 * its toy {@link TransferApp}. It feeds the replica one input at a time, checks the replica's
 * invariants after each, and carries out the resulting {@link Ready} exactly in the documented
 * order: persist, sync, send, apply. The simulation may crash it part-way through a Ready, at any
 * {@link CrashPoint}; the store then keeps only a random prefix of its unsynced writes.
 *
 * <p>The {@link ProtocolVariant#REPLY_BEFORE_PERSIST} variant swaps persist and send, to prove the
 * checkers catch it. Not thread-safe.
 */
final class SimNode {
  static final String INVARIANTS = "Invariants";
  static final String RUNTIME = "SimNode";

  /** Where, within one Ready, a crash strikes. */
  enum CrashPoint {
    /** Writes are staged but not synced: a random prefix of them survives. */
    BEFORE_SYNC,
    /** Persisted, nothing sent. */
    BEFORE_SEND,
    /** Some of the messages sent. */
    MID_SEND,
    /** Persisted and sent, not yet applied. */
    BEFORE_APPLY
  }

  /** What the node needs from the simulation around it. */
  interface Env {
    long now();

    /** A random number in {@code [0, bound)} from the run's one random stream. */
    int nextInt(int bound);

    /** True if {@code node} may become impaired (lose or tear state) now. */
    boolean mayImpair(SimNode node);

    /** Where this Ready is interrupted by a crash, or null to carry it out whole. */
    CrashPoint crashPoint();

    void send(Message m);

    void crashed(SimNode node, String where);

    void roundEvent(int node, RoundEvent event);

    Checker checker();

    Violations violations();

    SimTrace trace();
  }

  private final int id;
  private final ProtocolVariant variant;
  private final Env env;
  private final InMemoryStore store = new InMemoryStore();
  // Null while the node is down.
  private Replica replica;
  private TransferApp app;
  // runRound() tickets not yet reported done or failed, in this incarnation.
  private final Set<Long> openRounds = new HashSet<>();
  // True once this node's identity was durable in its store.
  private boolean founded;
  // Set when the disk lost state on purpose; cleared once the node votes again.
  private boolean amnesiac;

  SimNode(int id, ProtocolVariant variant, Env env) {
    this.id = id;
    this.variant = variant;
    this.env = env;
  }

  int id() {
    return id;
  }

  boolean isUp() {
    return replica != null;
  }

  /** Only while up. */
  Replica replica() {
    return replica;
  }

  /** Only while up. */
  TransferApp app() {
    return app;
  }

  /** Calls {@code runRound()} and remembers its ticket until the round settles. */
  void runRound() {
    input(
        r -> {
          long ticket = r.runRound();
          openRounds.add(ticket);
          if (env.trace().on()) {
            env.trace().line(env.now(), "n" + id + " runRound ticket=" + ticket);
          }
        });
  }

  /** True while a {@code runRound()} of this incarnation has not settled. */
  boolean hasOpenRound() {
    return !openRounds.isEmpty();
  }

  /** Boots a new incarnation from what the store holds, replays its chosen blocks, catches up. */
  void start(ReplicaConfig config) {
    StoredState state = store.load();
    env.checker().onRestarted(id, state.chosen());
    app = new TransferApp();
    long slot = 1;
    for (Block b : state.chosen()) {
      apply(new SlotBlock(slot++, b));
    }
    if (env.trace().on()) {
      env.trace().line(env.now(), "n" + id + " start committed=" + state.chosen().size()
          + " local=" + state.localLog().size() + " promised=" + state.promised()
          + " accepted=" + state.accepted());
    }
    long nonce = ((long) env.nextInt(Integer.MAX_VALUE) << 31) ^ env.nextInt(Integer.MAX_VALUE);
    // A founding member bootstraps until its identity is durable: a crash before that sync sent
    // nothing, so starting over is safe; after it, an empty store means a wiped disk (R16).
    replica = variant.newReplica(config, state, founded ? Boot.existing(nonce) : Boot.newCluster(nonce));
    input(Replica::requestCatchUp);
  }

  /** Crashes the node between inputs: nothing is unsynced, the store keeps all it has. */
  void crash(String where) {
    store.crash();
    down(where);
  }

  /**
   * Crashes the node and damages its disk (R16): each loss in {@code what} is applied to its store,
   * which reports them at boot, so the restarted replica must start a new incarnation.
   */
  void crashLosing(Set<StateLoss> what) {
    StoredState before = store.load();
    SplittableRandom random = new SplittableRandom(env.nextInt(1 << 30));
    for (StateLoss loss : what) {
      store.lose(loss, random);
    }
    reportLost(before);
    amnesiac = true;
    down("idle, losing " + what);
  }

  /** Crashes the node and empties its data directory: the store is as new, and says nothing. */
  void wipeAndCrash() {
    StoredState before = store.load();
    store.wipe();
    reportLost(before);
    amnesiac = true;
    down("idle, its store wiped");
  }

  /** Crashes the node for good: it never comes back, and what only it held is gone. */
  void loseForGood() {
    StoredState before = store.load();
    store.wipe();
    reportLost(before);
    down("for good");
  }

  private void reportLost(StoredState before) {
    StoredState after = store.load();
    List<Entry> lost = new ArrayList<>(before.localLog());
    lost.removeAll(after.localLog());
    env.checker().onStateLost(id, after.chosen(), lost);
  }

  /** True while up and voting (R16). */
  boolean isVoting() {
    return replica != null && replica.isVoting();
  }

  /** True while this node's store reports lost state or it does not vote (R16). */
  boolean acceptorStateLost() {
    if (amnesiac && replica != null && replica.isVoting()) {
      amnesiac = false; // re-admitted under a new generation (R17)
    }
    return amnesiac
        || tornVote()
        || !store.losses().isEmpty()
        || (store.identity() != null && store.identity().isPending())
        || (replica != null && !replica.isVoting());
  }

  /** A vote for slot k + 1 whose chosen block k a crash lost: it cannot vote on k (R15). */
  private boolean tornVote() {
    if (replica != null) {
      return replica.accepted() != null
          && replica.accepted().slot() > replica.committedSlot() + 1;
    }
    StoredState s = store.load();
    return s.accepted() != null && s.accepted().slot() > s.chosen().size() + 1;
  }

  InMemoryStore store() {
    return store;
  }

  private void down(String where) {
    replica = null;
    app = null;
    openRounds.clear();
    env.crashed(this, where);
  }

  /**
   * Feeds one input to the replica, checks its invariants and carries out the effects. A throw
   * from the replica or a broken invariant is reported as a violation, never thrown.
   */
  void input(Consumer<Replica> action) {
    if (replica == null) {
      return;
    }
    try {
      action.accept(replica);
    } catch (RuntimeException e) {
      env.violations().report(RUNTIME, "node " + id + " replica threw " + e);
    }
    try {
      Invariants.check(replica);
    } catch (IllegalStateException e) {
      env.violations().report(INVARIANTS, "node " + id + ": " + e.getMessage());
    }
    try {
      carryOut(replica.ready());
    } catch (RuntimeException e) {
      env.violations().report(RUNTIME, "node " + id + " failed to carry out a Ready: " + e);
      crash("after a failure");
    }
  }

  private void carryOut(Ready r) {
    if (r.isEmpty()) {
      return;
    }
    for (Entry e : r.appended()) {
      env.checker().onSubmitted(id, e);
    }
    CrashPoint crash = env.crashPoint();
    boolean whole =
        variant.sendsBeforePersist()
            ? send(r, crash) && persist(r, crash)
            : persist(r, crash) && send(r, crash);
    if (!whole) {
      return;
    }
    if (crash == CrashPoint.BEFORE_APPLY) {
      down("before apply");
      return;
    }
    for (SlotBlock sb : r.chosen()) {
      apply(sb);
    }
    for (RoundEvent ev : r.events()) {
      env.roundEvent(id, ev);
      if (env.trace().on()) {
        env.trace().line(env.now(), "n" + id + " " + ev.kind() + " ballot=" + ev.ballot()
            + " slot=" + ev.slot());
      }
    }
    r.roundsDone().forEach(openRounds::remove);
    r.roundsFailed().forEach(openRounds::remove);
    if (env.trace().on() && (!r.roundsDone().isEmpty() || !r.roundsFailed().isEmpty())) {
      env.trace().line(env.now(), "n" + id + " rounds done=" + r.roundsDone() + " failed="
          + r.roundsFailed());
    }
  }

  /** Step 1 of a Ready: stage every write in Ready's order, then sync. False if it crashed. */
  private boolean persist(Ready r, CrashPoint crash) {
    r.writeTo(store);
    if (crash == CrashPoint.BEFORE_SYNC) {
      int unsynced = store.unsyncedWrites();
      // Any subset may survive (Store contract); a torn vote impairs the node until it catches
      // up, so the simulation allows one only while a majority stays unimpaired.
      boolean tear = env.mayImpair(this);
      int lost = store.crash(i -> tear && env.nextInt(2) == 0);
      down("before sync, kept " + (unsynced - lost) + "/" + unsynced + " writes");
      return false;
    }
    if (r.needsPersist()) {
      store.sync();
    }
    founded |= store.identity() != null;
    for (Entry e : r.appended()) {
      env.checker().onDurable(id, e);
    }
    return true;
  }

  /** Step 2 of a Ready: send its messages. Returns false if the node crashed. */
  private boolean send(Ready r, CrashPoint crash) {
    List<Message> messages = r.messages();
    int cut = messages.size();
    if (crash == CrashPoint.BEFORE_SEND) {
      cut = 0;
    } else if (crash == CrashPoint.MID_SEND) {
      cut = env.nextInt(messages.size() + 1);
    }
    if (r.accepted() != null && cut > 0) {
      env.checker().onVoted(id, r.accepted());
    }
    for (int i = 0; i < cut; i++) {
      env.send(messages.get(i));
    }
    if (cut < messages.size() || crash == CrashPoint.BEFORE_SEND) {
      down("after sending " + cut + "/" + messages.size() + " messages");
      return false;
    }
    return true;
  }

  /** Step 3 of a Ready: apply a chosen block to the application, in slot order. */
  private void apply(SlotBlock sb) {
    try {
      app.apply(sb.slot(), sb.block().withoutControl());
    } catch (IllegalArgumentException e) {
      env.violations().report(RUNTIME, "node " + id + " cannot apply slot " + sb.slot() + ": " + e);
    }
    if (env.trace().on()) {
      env.trace().line(env.now(), "n" + id + " commit slot=" + sb.slot() + " " + sb.block());
    }
    env.checker().onApplied(id, sb, app);
  }
}
