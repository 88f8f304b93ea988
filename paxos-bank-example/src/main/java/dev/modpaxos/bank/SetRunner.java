package dev.modpaxos.bank;

import dev.modpaxos.bank.ServerHandle.RetryResult;
import dev.modpaxos.bank.TransferResult.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the sets of an input file on a {@link Cluster}, one at a time, and remembers what became of
 * every transfer. Before a set it applies the live list and retries pending transfers (one round
 * per server that needs it); then it sends the set's transfers in file order, each to its sender's
 * server, and after every round brings the live servers up to date and retries their pending
 * transfers. A set ends when each of its transfers is executed or pending. Not thread-safe.
 */
public final class SetRunner {
  private static final Logger log = LoggerFactory.getLogger(SetRunner.class);

  /** A transfer and what happened to it so far. */
  public static final class Tracked {
    final Transfer transfer;
    final int set;
    Status status;
    String reason = "";

    Tracked(Transfer transfer, int set) {
      this.transfer = transfer;
      this.set = set;
    }

    public Transfer transfer() {
      return transfer;
    }

    public Status status() {
      return status;
    }

    public String reason() {
      return reason;
    }

    public int set() {
      return set;
    }
  }

  /**
   * The outcome of one set when it ended.
   *
   * @param set its number
   * @param live its live servers, "S1".. in order
   * @param executed its transfers executed by the end of the set
   * @param pending its transfers pending (or undelivered to a crashed server)
   * @param rejected its rows rejected by the parser
   * @param chosenSlots slots chosen during the set, as seen by the highest live server
   * @param elapsedMillis how long it ran
   * @param earlierExecuted pending transfers of earlier sets executed during this one
   */
  public record SetOutcome(
      int set, List<String> live, int executed, int pending, int rejected, long chosenSlots,
      long elapsedMillis, int earlierExecuted) {}

  // Further rounds for a sender still short while a live server's log was left out of its round.
  static final int EXTRA_ROUNDS_MAX = 5;
  static final long EXTRA_ROUND_BACKOFF_MILLIS = 100;

  private final Cluster cluster;
  private final Map<Long, Tracked> tracked = new LinkedHashMap<>();
  private final List<SetOutcome> outcomes = new ArrayList<>();
  // The incarnation each server had when the driver last talked to it.
  private final Map<Integer, Long> incarnations = new HashMap<>();
  private long setMillisTotal;
  private int currentSet;
  private int earlierExecuted;
  private Progress progress = Progress.NONE;

  public SetRunner(Cluster cluster) {
    this.cluster = cluster;
  }

  /** Where a set that runs long says what it waits for (stderr in the bank; nothing by default). */
  SetRunner progress(Progress p) {
    this.progress = p;
    return this;
  }

  public SetOutcome run(TransferSet set) {
    progress.begin("set " + set.number(), "applying its live list " + set.liveNames()
        + " (reconnected servers catch up)");
    try {
      return runSet(set);
    } finally {
      progress.end();
    }
  }

  private SetOutcome runSet(TransferSet set) {
    long start = System.nanoTime();
    log.info("set {}: live {}, {} transfers", set.number(), set.liveNames(), set.transfers().size());
    currentSet = set.number();
    earlierExecuted = 0;
    cluster.applyLiveList(set.live());
    resync();
    long slotBefore = highestSlot();
    retryAll(true);
    for (Transfer t : set.transfers()) {
      ServerHandle server = cluster.server(t.from());
      resync(t.from(), server.status(), false); // its earlier undelivered transfers go first
      Tracked tr = tracked.computeIfAbsent(t.id(), k -> new Tracked(t, set.number()));
      progress.doing(sending(t));
      TransferResult r = server.transfer(t);
      record(tr, r);
      markExecuted(r.executedIds());
      if (r.roundsRun() > 0) {
        afterRound(t.from());
      }
    }
    int executed = 0;
    int pending = 0;
    for (Tracked tr : tracked.values()) {
      if (tr.set == set.number()) {
        if (tr.status == Status.EXECUTED) {
          executed++;
        } else if (tr.status == Status.PENDING || tr.status == Status.UNDELIVERED) {
          pending++;
        }
      }
    }
    SetOutcome o = new SetOutcome(
        set.number(), set.live().stream().map(Servers::name).toList(), executed, pending,
        set.rejected().size(), highestSlot() - slotBefore, (System.nanoTime() - start) / 1_000_000,
        earlierExecuted);
    outcomes.add(o);
    setMillisTotal += o.elapsedMillis();
    log.info("set {} done: {} executed, {} pending, {} rejected, {} chosen", o.set(),
        o.executed(), o.pending(), o.rejected(), Printer.plural(o.chosenSlots(), "slot"));
    return o;
  }

  /**
   * Brings every server the driver can reach in line with what the driver owes it (see {@link
   * #resync(int, ServerHandle.ServerStatus, boolean)}), and tells each which peers are unreachable. Call it
   * whenever the driver gets the chance: before a set, after a menu command, and while idle.
   */
  public List<String> resync() {
    Map<Integer, ServerHandle.ServerStatus> status = cluster.refresh();
    List<String> notes = new ArrayList<>();
    for (int id : Servers.IDS) {
      String note = resync(id, status.get(id), false);
      if (note != null) {
        notes.add(note);
      }
    }
    return notes;
  }

  /**
   * If server {@code id} serves again after a restart (a new incarnation: its pending queue is
   * gone) or holds transfers reported undelivered, re-sends, in their original order, every
   * transfer of its client still pending or undelivered. Re-sending is safe: a server executes a
   * transfer id once. Returns one line saying what it re-sent, or null if nothing.
   */
  private String resync(int id, ServerHandle.ServerStatus s, boolean restartedKnown) {
    if (!s.up()) {
      return null;
    }
    Long before = incarnations.put(id, s.incarnation());
    boolean restarted = restartedKnown || (before != null && before != s.incarnation());
    List<Tracked> owed = new ArrayList<>();
    boolean undelivered = false;
    for (Tracked tr : tracked.values()) {
      if (tr.transfer.from() == id
          && (tr.status == Status.PENDING || tr.status == Status.UNDELIVERED)) {
        owed.add(tr);
        undelivered |= tr.status == Status.UNDELIVERED;
      }
    }
    if (owed.isEmpty() || !(restarted || undelivered)) {
      return null;
    }
    log.info("{} serves again{}: re-sending {} in order", Servers.name(id),
        restarted ? " after a restart" : "", Printer.plural(owed.size(), "transfer"));
    ServerHandle server = cluster.server(id);
    for (Tracked tr : owed) {
      progress.doing("re-sending: " + sending(tr.transfer));
      TransferResult r = server.transfer(tr.transfer);
      record(tr, r);
      markExecuted(r.executedIds());
      if (r.roundsRun() > 0) {
        afterRound(id);
      }
    }
    long executed = owed.stream().filter(t -> t.status == Status.EXECUTED).count();
    return String.format("%s serves again%s: re-sent %s (%d executed, %d not)", Servers.name(id),
        restarted ? " after a restart" : "", Printer.plural(owed.size(), "transfer"), executed,
        owed.size() - executed);
  }

  /** After RecoverServer: what the server lost or missed is re-sent (see {@link #resync()}). */
  public String resendAfterRecovery(int server) {
    return resync(server, cluster.server(server).status(), true);
  }

  /** What the driver waits for while {@code t} is with its server. */
  private static String sending(Transfer t) {
    return Servers.name(t.from()) + " executes " + t + ", running a round if it is short";
  }

  /** Brings the live servers up to date after a round. */
  private void settle() {
    progress.doing("the live servers catch up with the chosen blocks");
    cluster.settle();
  }

  private void afterRound(int sender) {
    settle();
    untilCollected(sender);
    retryAll(false);
  }

  /**
   * A round collects only the logs whose promises arrived. While {@code sender} is still short and
   * a live, up server still holds a log that round left out, runs further rounds: at most {@link
   * #EXTRA_ROUNDS_MAX}, with a doubling back-off. Without a majority up no round can succeed.
   */
  private void untilCollected(int sender) {
    for (int k = 0; k < EXTRA_ROUNDS_MAX && hasPending(sender) && logLeftOut(sender); k++) {
      progress.doing(Servers.name(sender) + " is short and a live server's log was left out of"
          + " its round: round " + (k + 1) + " more of at most " + EXTRA_ROUNDS_MAX);
      try {
        Thread.sleep(EXTRA_ROUND_BACKOFF_MILLIS << k);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      log.info("{} is still short and a live server's log was left out: round {} more",
          Servers.name(sender), k + 1);
      RetryResult r = cluster.server(sender).retryPending(true);
      markExecuted(r.executedIds());
      if (r.roundsRun() == 0) {
        return;
      }
      settle();
    }
  }

  private boolean logLeftOut(int sender) {
    if (!cluster.live().contains(sender)) {
      return false;
    }
    List<ServerHandle> up = cluster.liveUp();
    if (up.size() < Servers.MAJORITY) {
      return false;
    }
    for (ServerHandle s : up) {
      if (s.id() != sender && s.status().localLogSize() > 0) {
        return true;
      }
    }
    return false;
  }

  private void retryAll(boolean allowRound) {
    boolean rounds = false;
    for (ServerHandle s : cluster.liveUp()) {
      if (hasPending(s.id())) {
        progress.doing(Servers.name(s.id()) + " retries its pending transfers"
            + (allowRound ? ", running a round if one is short" : ""));
        RetryResult r = s.retryPending(allowRound);
        markExecuted(r.executedIds());
        if (r.roundsRun() > 0) {
          rounds = true;
          settle();
          untilCollected(s.id());
        }
      }
    }
    if (rounds) {
      retryAll(false);
    }
  }

  private boolean hasPending(int server) {
    return tracked.values().stream()
        .anyMatch(t -> t.transfer.from() == server && t.status == Status.PENDING);
  }

  private void record(Tracked tr, TransferResult r) {
    tr.status = r.status();
    tr.reason = r.reason();
    switch (r.status()) {
      case EXECUTED -> log.info("{} {} executed", tr.transfer, tr.transfer.label());
      case PENDING -> log.info("{} {} pending: {}", tr.transfer, tr.transfer.label(), r.reason());
      case REJECTED -> log.warn("{} {} rejected: {}", tr.transfer, tr.transfer.label(), r.reason());
      case UNDELIVERED -> {
        log.warn("{} {} undelivered: {}", tr.transfer, tr.transfer.label(), r.reason());
        cluster.refresh(); // the others' rounds stop waiting for a server that went down
      }
    }
  }

  private void markExecuted(List<Long> ids) {
    for (long id : ids) {
      Tracked tr = tracked.get(id);
      if (tr != null && tr.status != Status.EXECUTED) {
        if (tr.set < currentSet) {
          earlierExecuted++;
        }
        tr.status = Status.EXECUTED;
        tr.reason = "";
        log.info("{} {} executed (was pending)", tr.transfer, tr.transfer.label());
      }
    }
  }

  private long highestSlot() {
    long max = 0;
    for (ServerHandle s : cluster.liveUp()) {
      max = Math.max(max, s.appliedSlot());
    }
    return max;
  }

  /**
   * Transfers an earlier run left pending or undelivered (from its run record): owed to their
   * servers, which get them again, in this order, at the next {@link #resync()}.
   */
  public void owe(List<Transfer> owed, List<Integer> sets) {
    for (int i = 0; i < owed.size(); i++) {
      Tracked tr = new Tracked(owed.get(i), sets.get(i));
      tr.status = Status.UNDELIVERED;
      tr.reason = "left over from the earlier run";
      tracked.put(tr.transfer.id(), tr);
    }
  }

  /** How long all sets so far ran, in milliseconds. */
  public long setMillisTotal() {
    return setMillisTotal;
  }

  public List<SetOutcome> outcomes() {
    return List.copyOf(outcomes);
  }

  /** Every transfer sent so far, in the order first sent. */
  public List<Tracked> tracked() {
    return List.copyOf(tracked.values());
  }
}
