package dev.modpaxos.bank;

import dev.modpaxos.bank.ServerView.BlockView;
import dev.modpaxos.bank.ServerView.PerformanceView;
import dev.modpaxos.bank.ServerView.RpcView;
import dev.modpaxos.bank.ServerView.TransferView;
import dev.modpaxos.bank.TransferResult.Status;
import dev.modpaxos.local.FaultInjectingTransport;
import dev.modpaxos.local.NetworkFaults;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.protocol.RoundTrigger;
import dev.modpaxos.runtime.Leadership;
import dev.modpaxos.runtime.NodeMetrics;
import dev.modpaxos.runtime.PaxosNode;
import dev.modpaxos.runtime.RoundFailedException;
import dev.modpaxos.spi.RpcStats;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bank server: a {@link PaxosNode} running rounds on demand, its {@link BankLedger}, and the
 * FIFO queue of its client's pending transfers. <b>Thread-safe</b> (one monitor per server).
 *
 * <p>A transfer is executed when the ledger can fund it: the debit is reserved, the transfer is
 * submitted to the local log, and it counts as executed only once that entry is durable. When the
 * client is short, the server runs one round (collecting every reachable local log, which brings
 * in credits) and tries again; if it is still short the transfer stays pending.
 */
public final class BankServer implements ServerHandle {
  private static final Logger log = LoggerFactory.getLogger(BankServer.class);
  private static final long DURABLE_TIMEOUT_MILLIS = 10_000;
  private static final long ROUND_TIMEOUT_MILLIS = 60_000;
  // Once a majority promised, wait up to this many more ticks (3 s at 10 ms) for every peer not
  // known to be unreachable: the assignment's round collects every reachable server's local log.
  // The round goes on as soon as they all promised, so the bound only matters for a peer that
  // died unnoticed; it is well above a loaded machine's round trip (a liveness knob, R14).
  static final int PROMISE_WAIT_TICKS = 300;
  // A short transfer's round gives up after this many attempts and the transfer stays pending
  // (it is retried later, never lost): with only a minority live, every attempt must time out.
  private static final int ROUND_ATTEMPTS = 2;

  private final int id;
  private final String name;
  private final ClusterBackend backend;
  private final NetworkFaults faults;
  private final long tickMillis;
  private PaxosNode node;
  // The running node for watch(), read without the monitor; null while down.
  private volatile PaxosNode watched;
  // Every message delivered to this server's node, across restarts (the web view).
  private final MessageLog messages = new MessageLog();
  private BankLedger ledger;
  private final ArrayDeque<Transfer> pending = new ArrayDeque<>();
  private final Histogram latencyMicros = new Histogram(TimeUnit.HOURS.toMicros(1), 3);
  private long roundsRun;
  private long roundsFailed;
  private long busyNanos;
  private long callStartNanos;
  // True until the first successful start of a founding server (see foundingOnFirstStart).
  private boolean bootstrap;
  // Peers the driver reports cut off or down; handed to every node this server starts.
  private Set<Integer> unreachable = Set.of();
  // A fresh random value at every start; 0 while down.
  private long incarnation;
  // --leader stable: the core's AUTO trigger; a short sender waits for the leader's blocks.
  private boolean stableLeader;
  // --compact-every N: a snapshot every N slots, blocks kept for N slots below it; 0: all kept.
  private long compactEverySlots;
  // bank server: the store check at start (RejoinCheck), null in one JVM; true for --rejoin,
  // which applies to the first start only (a later RecoverServer finds the new store intact).
  private Boolean rejoin;
  // True if the node's last start was a new incarnation of this member (RejoinCheck).
  private volatile boolean newIncarnation;

  /**
   * A server on {@code backend}; {@code faults} is the switchboard its transport obeys (shared by
   * all servers in one JVM, or this process's own). Call {@link #recover()} to start it.
   */
  public BankServer(int id, ClusterBackend backend, NetworkFaults faults, long tickMillis) {
    Servers.requireValid(id);
    this.id = id;
    this.name = Servers.name(id);
    this.backend = backend;
    this.faults = faults;
    this.tickMillis = tickMillis;
  }

  /**
   * Makes this server's next start a founding start of a new cluster: an empty store is then
   * initialised (R16). The single-JVM mode does this for its fresh run directory; later starts
   * (RecoverServer) never do, so a store that lost its state is never mistaken for a new one.
   */
  BankServer foundingOnFirstStart() {
    bootstrap = true;
    return this;
  }

  /**
   * The stable-leader mode (the v2 spec's bonus, {@code --leader stable}): the node runs the core's
   * AUTO trigger (R13), so every server forwards its local log to the current leader, which
   * batches whatever has arrived into the next slot with ACCEPT only. A short sender does not elect
   * itself with a round; it waits (up to {@link #LEADER_WAIT_MILLIS}) for the leader's blocks to
   * bring in its credits.
   */
  BankServer stableLeader(boolean on) {
    stableLeader = on;
    return this;
  }

  static final long LEADER_WAIT_MILLIS = 1_000;

  /**
   * {@code --compact-every N} (docs/PROTOCOL.md R20): the node snapshots the ledger every {@code
   * slots} slots and drops the blocks more than {@code slots} below the snapshot; 0 (the default)
   * keeps the whole history, so PrintDB shows every block. Applies from the next start.
   */
  BankServer compactEvery(long slots) {
    if (slots < 0) {
      throw new IllegalArgumentException("--compact-every must be >= 1, got " + slots);
    }
    compactEverySlots = slots;
    return this;
  }

  /**
   * {@code bank server}: checks the store at every start ({@link RejoinCheck}); {@code rejoin}
   * ({@code --rejoin}) lets the first start re-admit a wiped or damaged store as a new
   * incarnation, and refuses an intact one; without it such a store is refused.
   */
  BankServer checkStoreAtStart(boolean rejoin) {
    this.rejoin = rejoin;
    return this;
  }

  @Override
  public int id() {
    return id;
  }

  @Override
  public synchronized boolean isUp() {
    return node != null && node.isRunning();
  }

  @Override
  public synchronized ServerStatus status() {
    if (!isUp()) {
      return ServerStatus.DOWN;
    }
    return new ServerStatus(
        true, ledger.appliedSlot(), ledger.executedNotChosen().size(), incarnation);
  }

  /** The peers this server was last told cannot answer. */
  synchronized Set<Integer> unreachable() {
    return unreachable;
  }

  @Override
  public synchronized void setUnreachable(Set<Integer> peers) {
    unreachable = Set.copyOf(peers);
    if (isUp()) {
      node.setUnreachable(unreachable);
    }
  }

  // ---- transfers ----------------------------------------------------------------------------

  @Override
  public synchronized TransferResult transfer(Transfer t) {
    if (!isUp()) {
      // A node that stopped by itself (a store failure: a full disk, an I/O error) says why.
      String why = node == null ? "" : ": " + node.notVotingReason();
      return new TransferResult(t.id(), Status.UNDELIVERED, name + " is down" + why, 0,
          List.of());
    }
    if (t.from() != id) {
      return new TransferResult(
          t.id(), Status.REJECTED, t + " belongs to " + Servers.name(t.from()), 0, List.of());
    }
    if (ledger.isExecuted(t.id())) {
      return new TransferResult(t.id(), Status.EXECUTED, "", 0, List.of());
    }
    if (!node.isVoting()) {
      // R16: a node that lost its state accepts no submits until it is re-admitted; its
      // balances are not final (notFinal), so the transfer is refused, not queued.
      return new TransferResult(t.id(), Status.UNDELIVERED,
          name + " is not voting: " + node.notVotingReason(), 0, List.of());
    }
    if (pending.stream().noneMatch(p -> p.id() == t.id())) {
      pending.addLast(t);
    }
    RetryResult r = drain(true);
    Status s;
    String reason = "";
    if (ledger != null && ledger.isExecuted(t.id())) {
      s = Status.EXECUTED;
    } else if (!isUp()) {
      s = Status.UNDELIVERED;
      reason = name + " went down";
    } else {
      s = Status.PENDING;
      reason = pending.peekFirst() != null && pending.peekFirst().id() != t.id()
          ? "queued behind earlier pending transfers of " + name
          : name + " has " + ledger.balance(id) + ", short of " + t.amount();
    }
    List<Long> others = new ArrayList<>(r.executedIds());
    others.remove(t.id());
    return new TransferResult(t.id(), s, reason, r.roundsRun(), others);
  }

  @Override
  public synchronized RetryResult retryPending(boolean allowRound) {
    if (!isUp() || pending.isEmpty()) {
      return RetryResult.NONE;
    }
    return drain(allowRound);
  }

  /** Executes pending transfers in FIFO order while they are fundable, with at most one round. */
  private RetryResult drain(boolean allowRound) {
    callStartNanos = System.nanoTime();
    List<Long> done = new ArrayList<>();
    int rounds = 0;
    try {
      while (!pending.isEmpty() && isUp()) {
        Transfer head = pending.peekFirst();
        if (!node.acceptsSubmits()) {
          // R15: after a crash the node fences the ids it may have sent unsynced; until then
          // the ledger may miss its own transfers that are still chosen, so nothing is funded.
          log.info("{}: {} waits: {}", name, head, "the node is not taking transfers yet");
          break;
        }
        if (ledger.isExecuted(head.id())) {
          pending.pollFirst(); // a re-send of something already executed
        } else if (ledger.tryReserve(head)) {
          if (!makeDurable(head)) {
            break;
          }
          pending.pollFirst();
          done.add(head.id());
        } else if (allowRound && rounds == 0) {
          rounds++;
          log.info("{}: {} is short for {} (has {}): {}", name, name, head, ledger.balance(id),
              stableLeader ? "waiting for the leader's blocks" : "running a round");
          if (stableLeader) {
            awaitLeader(head);
          } else {
            runRound();
          }
        } else {
          break;
        }
      }
    } finally {
      busyNanos += System.nanoTime() - callStartNanos;
    }
    return new RetryResult(done, rounds);
  }

  private boolean makeDurable(Transfer t) {
    try {
      node.submit(TransferCodec.encode(t)).durable().get(DURABLE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ledger.release(t.id());
      return false;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      ledger.release(t.id());
      log.error("{}: {} could not be made durable: {}", name, t, e.toString());
      return false;
    }
    ledger.confirm(t.id());
    latencyMicros.recordValue(
        Math.min(latencyMicros.getHighestTrackableValue(),
            TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - callStartNanos)));
    log.info("{}: executed {} {}, balance now {}", name, t, t.label(), ledger.balance(id));
    return true;
  }

  /** Stable-leader mode: waits until the leader's blocks fund {@code head}, or the time is up. */
  private void awaitLeader(Transfer head) {
    roundsRun++;
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LEADER_WAIT_MILLIS);
    BankLedger l = ledger;
    try {
      while (l.balance(id) < head.amount() && System.nanoTime() < deadline) {
        l.awaitApplied(l.appliedSlot() + 1, 20);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (l.balance(id) < head.amount()) {
      roundsFailed++;
    }
  }

  private void runRound() {
    roundsRun++;
    try {
      node.runRound().get(ROUND_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
      log.info("{}: round done, committed slot {}", name, ledger.appliedSlot());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      roundsFailed++;
      if (e.getCause() instanceof RoundFailedException) {
        log.info("{}: round found no majority", name);
      } else {
        log.warn("{}: round failed: {}", name, e.getCause().toString());
      }
    } catch (TimeoutException e) {
      roundsFailed++;
      log.warn("{}: round did not finish in {} ms", name, ROUND_TIMEOUT_MILLIS);
    }
  }

  // ---- network and lifecycle ----------------------------------------------------------------

  @Override
  public synchronized void setConnected(boolean connected) {
    if (connected) {
      boolean was = faults.isDisconnected(id);
      faults.reconnect(id);
      if (was && isUp()) {
        node.requestCatchUp();
      }
    } else {
      faults.disconnect(id);
    }
  }

  @Override
  public synchronized void crash() {
    if (node == null) {
      return;
    }
    node.close();
    node = null;
    watched = null;
    ledger = null;
    incarnation = 0;
    pending.clear(); // not executed, never acknowledged as such; the driver re-sends them
    log.warn("{}: crashed (store kept)", name);
  }

  @Override
  public synchronized void recover() {
    if (isUp()) {
      return;
    }
    if (node != null) {
      node.close(); // it stopped by itself (a store failure): start it again
    }
    BankLedger fresh = new BankLedger(id);
    dev.modpaxos.spi.Store store = backend.openStore(id);
    RejoinCheck check = rejoin == null ? null
        : new RejoinCheck(store, rejoin, name + "'s store "
            + (underlying(store) instanceof dev.modpaxos.storage.chronicle.ChronicleStore c
                ? "in " + c.directory() : "(" + store + ")"));
    if (check != null) {
      store = check;
      try {
        check.load(); // before the node: a refused start says so in one line and writes nothing
      } catch (RuntimeException e) {
        store.close();
        throw e;
      }
    }
    if (compactEverySlots > 0 && !store.supportsSnapshots()) {
      store.close();
      throw new IllegalArgumentException("--compact-every needs a store that keeps snapshots; "
          + store.getClass().getSimpleName() + " does not");
    }
    PaxosNode.Builder builder =
        PaxosNode.builder(
                ReplicaConfig.builder(id, Servers.IDS)
                    .clusterId(Servers.CLUSTER_ID)
                    .trigger(stableLeader ? RoundTrigger.AUTO : RoundTrigger.ON_DEMAND)
                    .promiseWaitTicks(PROMISE_WAIT_TICKS)
                    .roundAttemptsMax(ROUND_ATTEMPTS)
                    .build())
            .transport(new ObservingTransport(
                new FaultInjectingTransport(id, backend.transport(id), faults), messages))
            .store(store)
            .application(fresh)
            .tickMillis(tickMillis)
            .bootstrap(bootstrap);
    if (compactEverySlots > 0) {
      builder.snapshotEverySlots(compactEverySlots).compactionTailSlots(compactEverySlots);
    }
    PaxosNode n = builder.build().start();
    bootstrap = false;
    if (check != null) {
      rejoin = false;
      newIncarnation = check.newIncarnation();
    }
    n.setUnreachable(unreachable);
    incarnation = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    if (!n.isVoting()) {
      log.warn("{}: {}", name, n.notVotingReason());
    }
    List<Transfer> local = new ArrayList<>();
    for (Entry e : n.localLog()) {
      local.add(TransferCodec.decode(e.payload()));
    }
    fresh.restoreExecuted(local);
    node = n;
    watched = n;
    ledger = fresh;
    log.info("{}: started at slot {} with {} transfers in its local log",
        name, fresh.appliedSlot(), local.size());
  }

  /** The store under any decorators ({@code --fault-injection} wraps it). */
  private static dev.modpaxos.spi.Store underlying(dev.modpaxos.spi.Store store) {
    return store instanceof dev.modpaxos.local.ForwardingStore f ? underlying(f.inner()) : store;
  }

  // ---- membership (R21) ---------------------------------------------------------------------

  /** Not synchronized: never waits for a transfer's round. */
  @Override
  public MemberStatus memberStatus() {
    PaxosNode n = watched;
    if (n == null || !n.isRunning()) {
      return MemberStatus.DOWN;
    }
    String why = n.notVotingReason();
    return new MemberStatus(true, why == null, newIncarnation,
        n.configuration().generationOf(id), why == null ? "" : why);
  }

  /** Not synchronized: waits for the node's replaceMember, not for a transfer's round. */
  @Override
  public ReplaceResult replaceMember(int member, int aboveGeneration) {
    PaxosNode n = watched;
    String who = Servers.name(member);
    if (n == null || !n.isRunning()) {
      return new ReplaceResult(false, 0, name + " is down");
    }
    if (member == id) {
      return new ReplaceResult(false, 0, name + " cannot re-admit itself; ask another server");
    }
    if (n.configuration().generationOf(member) > aboveGeneration) {
      return new ReplaceResult(true, n.configuration().generationOf(member), "");
    }
    try {
      int g = n.replaceMember(member).get(REPLACE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
          .generationOf(member);
      log.info("{}: {} re-admitted as generation {}", name, who, g);
      return new ReplaceResult(true, g, "");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new ReplaceResult(false, 0, "interrupted");
    } catch (ExecutionException | TimeoutException e) {
      int g = n.configuration().generationOf(member); // it may have been admitted meanwhile
      if (g > aboveGeneration) {
        return new ReplaceResult(true, g, "");
      }
      Throwable c = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      String why = c.getMessage() != null ? c.getMessage() : c.toString();
      log.warn("{}: re-admitting {} failed: {}", name, who, why);
      return new ReplaceResult(false, 0, why.lines().findFirst().orElse(why));
    }
  }

  // The core's own bound (30 round timeouts per phase) comes first; this one only keeps a call
  // from waiting for ever.
  private static final long REPLACE_TIMEOUT_MILLIS = 60_000;

  @Override
  public synchronized long appliedSlot() {
    return isUp() ? ledger.appliedSlot() : -1;
  }

  @Override
  public boolean catchUpTo(long slot, long timeoutMillis) {
    BankLedger l;
    PaxosNode n;
    synchronized (this) {
      if (!isUp()) {
        return false;
      }
      l = ledger;
      n = node;
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    try {
      do {
        n.requestCatchUp(); // also opens the connections to the peers
        if (l.awaitApplied(slot, Math.min(250, timeoutMillis))) {
          return true;
        }
      } while (System.nanoTime() < deadline);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return l.appliedSlot() >= slot;
  }

  @Override
  public synchronized void close() {
    if (node != null) {
      node.close();
      node = null;
      watched = null;
    }
  }

  /** The running node, or null while down; for the metrics binding. Never blocks. */
  PaxosNode runningNode() {
    return watched;
  }

  /** Not synchronized: the web view watches while a transfer runs a round. */
  @Override
  public Watch watch(long afterSeq, int max) {
    PaxosNode n = watched;
    String promised = "-";
    boolean leader = false;
    if (n != null && n.isRunning()) {
      try {
        Leadership l = n.leadership(); // a snapshot: never waits for the loop
        promised = MessageLog.ballot(l.promised());
        leader = l.role() == Leadership.Role.LEADER;
      } catch (RuntimeException e) {
        // it stopped while being read: shown as down by its view
      }
    }
    return new Watch(promised, leader, messages.after(afterSeq, max));
  }

  // ---- views --------------------------------------------------------------------------------

  @Override
  public synchronized ServerView view() {
    return view(0, Long.MAX_VALUE);
  }

  /** Blocks read from the node at a time while a view is built. */
  private static final int VIEW_READ_BLOCKS = 256;

  /**
   * The view with one page of the chosen blocks: those after {@code afterSlot} (and after the
   * snapshot), in slot order, until they hold {@code entriesMax} transfers; always at least one
   * block if there is one. The admin RPC's View pages with it (AdminService#VIEW_ENTRIES_MAX).
   */
  synchronized ServerView view(long afterSlot, long entriesMax) {
    if (!isUp()) {
      return ServerView.down(id);
    }
    long slot = ledger.appliedSlot();
    ServerView.SnapshotView snap = snapshotView();
    List<BlockView> blocks = new ArrayList<>();
    long s = Math.max(afterSlot, snap == null ? 0 : snap.slot()) + 1;
    long entries = 0;
    while (s <= slot && (blocks.isEmpty() || entries < entriesMax)) {
      List<Block> read = node.chosenBlocks(s, (int) Math.min(VIEW_READ_BLOCKS, slot - s + 1));
      if (read.isEmpty()) {
        break; // compacted meanwhile: the snapshot stands for them
      }
      for (Block b : read) {
        if (!blocks.isEmpty() && entries >= entriesMax) {
          break;
        }
        blocks.add(new BlockView(s++, decodeAll(b.entries())));
        entries += b.entries().size();
      }
    }
    return new ServerView(
        name,
        true,
        !faults.isDisconnected(id),
        slot,
        ledger.balance(id),
        ledger.balances(),
        ledger.executedNotChosen().stream().map(TransferView::of).toList(),
        pending.stream().map(TransferView::of).toList(),
        blocks,
        performance(),
        snap,
        notFinal());
  }

  /**
   * Null while the node votes; otherwise why this server's balances are not final. A node that
   * lost its state (R16) keeps what survived and learns the rest by catch-up, so until it is
   * re-admitted its ledger may lag what was chosen, and its balances are not served as final.
   */
  private String notFinal() {
    return node.isVoting() ? null : node.notVotingReason();
  }

  /**
   * The node's newest snapshot, or null if none: the view shows it and the blocks after it. The
   * ledger took or restored it, and keeps the summaries of the last few it did.
   */
  private ServerView.SnapshotView snapshotView() {
    long at = node.snapshotSlot();
    if (at == 0) {
      return null;
    }
    BankLedger.SnapshotSummary sum = ledger.snapshotSummary(at);
    if (sum == null) {
      throw new IllegalStateException(name + ": no summary of its snapshot of slot " + at);
    }
    return new ServerView.SnapshotView(sum.slot(), sum.balances(), sum.transfers());
  }

  private PerformanceView performance() {
    NodeMetrics m = node.metrics();
    long committed = ledger.appliedFrom(id);
    long executed = committed + ledger.executedNotChosen().size();
    List<RpcView> rpc = new ArrayList<>();
    for (RpcStats r : m.rpc()) {
      rpc.add(new RpcView(r.type(), r.sent(), r.received(), r.errors(), r.latencyMicrosAvg(),
          r.latencyMicrosP50(), r.latencyMicrosP99()));
    }
    return new PerformanceView(
        executed,
        committed,
        TimeUnit.NANOSECONDS.toMillis(busyNanos),
        latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getMean(),
        latencyMicros.getValueAtPercentile(50),
        latencyMicros.getValueAtPercentile(99),
        roundsRun,
        roundsFailed,
        m.commitLatency().avgMicros(),
        m.commitLatency().p50Micros(),
        m.commitLatency().p99Micros(),
        m.messagesSent(),
        m.messagesReceived(),
        rpc);
  }

  private static List<TransferView> decodeAll(List<Entry> entries) {
    List<TransferView> out = new ArrayList<>();
    for (Entry e : entries) {
      try {
        out.add(TransferView.of(TransferCodec.decode(e.payload())));
      } catch (IllegalArgumentException ex) {
        // not a transfer: the ledger skipped it too
      }
    }
    return out;
  }
}
