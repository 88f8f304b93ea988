package dev.modpaxos.bank;

import dev.modpaxos.bank.ServerHandle.RetryResult;
import dev.modpaxos.bank.TransferResult.Status;
import java.util.ArrayList;
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
   */
  public record SetOutcome(
      int set, List<String> live, int executed, int pending, int rejected, long chosenSlots,
      long elapsedMillis) {}

  private final Cluster cluster;
  private final Map<Long, Tracked> tracked = new LinkedHashMap<>();
  private final List<SetOutcome> outcomes = new ArrayList<>();
  private long setMillisTotal;

  public SetRunner(Cluster cluster) {
    this.cluster = cluster;
  }

  public SetOutcome run(TransferSet set) {
    long start = System.nanoTime();
    log.info("set {}: live {}, {} transfers", set.number(), set.liveNames(), set.transfers().size());
    cluster.applyLiveList(set.live());
    long slotBefore = highestSlot();
    retryAll(true);
    for (Transfer t : set.transfers()) {
      Tracked tr = tracked.computeIfAbsent(t.id(), k -> new Tracked(t, set.number()));
      TransferResult r = cluster.server(t.from()).transfer(t);
      record(tr, r);
      markExecuted(r.executedIds());
      if (r.roundsRun() > 0) {
        afterRound();
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
        set.rejected().size(), highestSlot() - slotBefore, (System.nanoTime() - start) / 1_000_000);
    outcomes.add(o);
    setMillisTotal += o.elapsedMillis();
    log.info("set {} done: {} executed, {} pending, {} rejected, {} slots chosen",
        o.set(), o.executed(), o.pending(), o.rejected(), o.chosenSlots());
    return o;
  }

  /**
   * After RecoverServer: re-sends, in their original order, the transfers of that server's client
   * that were pending or undelivered (the crash emptied its pending queue).
   */
  public void resendAfterRecovery(int server) {
    for (Tracked tr : List.copyOf(tracked.values())) {
      if (tr.transfer.from() == server
          && (tr.status == Status.PENDING || tr.status == Status.UNDELIVERED)) {
        TransferResult r = cluster.server(server).transfer(tr.transfer);
        record(tr, r);
        markExecuted(r.executedIds());
      }
    }
  }

  private void afterRound() {
    cluster.settle();
    retryAll(false);
  }

  private void retryAll(boolean allowRound) {
    boolean rounds = false;
    for (ServerHandle s : cluster.liveUp()) {
      if (hasPending(s.id())) {
        RetryResult r = s.retryPending(allowRound);
        markExecuted(r.executedIds());
        rounds |= r.roundsRun() > 0;
      }
    }
    if (rounds) {
      afterRound();
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
      case UNDELIVERED -> log.warn("{} {} undelivered: {}", tr.transfer, tr.transfer.label(), r.reason());
    }
  }

  private void markExecuted(List<Long> ids) {
    for (long id : ids) {
      Tracked tr = tracked.get(id);
      if (tr != null && tr.status != Status.EXECUTED) {
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
