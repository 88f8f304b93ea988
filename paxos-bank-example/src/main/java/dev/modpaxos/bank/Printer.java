package dev.modpaxos.bank;

import dev.modpaxos.bank.ServerView.BlockView;
import dev.modpaxos.bank.ServerView.PerformanceView;
import dev.modpaxos.bank.ServerView.RpcView;
import dev.modpaxos.bank.ServerView.TransferView;
import dev.modpaxos.bank.SetRunner.SetOutcome;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Formats server views for the menu. Stateless. */
final class Printer {
  private final PrintStream out;

  Printer(PrintStream out) {
    this.out = out;
  }

  void balance(ServerView v, int client) {
    if (!v.up()) {
      out.printf("%s: unknown, its server is down%n", Servers.name(client));
    } else if (v.notFinal() != null) {
      out.printf("%s: %d, not final: %s%n", Servers.name(client), v.balance(), v.notFinal());
    } else {
      out.printf("%s: %d%n", Servers.name(client), v.balance());
    }
  }

  void log(ServerView v) {
    if (down(v)) {
      return;
    }
    out.printf("%s local log (%d): %s%n", v.server(), v.localLog().size(), transfers(v.localLog()));
    out.printf("%s pending (%d): %s%n", v.server(), v.pending().size(), transfers(v.pending()));
  }

  void db(ServerView v) {
    if (down(v)) {
      return;
    }
    ServerView.SnapshotView snap = v.snapshot();
    if (snap == null) {
      out.printf("%s datastore: %s%n", v.server(), plural(v.blocks().size(), "block"));
    } else {
      out.printf("%s datastore: snapshot of slot %d, then %s%n", v.server(), snap.slot(),
          plural(v.blocks().size(), "block"));
      out.printf("  snapshot of slot %d: %s; %s%n", snap.slot(), snap.balances().entrySet()
          .stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" ")),
          plural(snap.transfers(), "transfer"));
    }
    for (BlockView b : v.blocks()) {
      out.printf("  slot %d: %s%n", b.slot(), transfers(b.entries()));
    }
  }

  /** Committed transfers per second of the time the sets ran. */
  static double throughput(long committed, long setMillis) {
    return setMillis > 0 ? committed * 1000.0 / setMillis : 0;
  }

  void performance(ServerView v, long setMillis) {
    if (down(v)) {
      return;
    }
    PerformanceView p = v.performance();
    out.printf(Locale.ROOT,
        "%s: %d executed, %d committed; throughput %.1f committed transfers/s over %d ms of sets"
            + " (%d ms busy in this server)%n",
        v.server(), p.executed(), p.committed(), throughput(p.committed(), setMillis), setMillis,
        p.busyMillis());
    out.printf(Locale.ROOT,
        "  latency per transfer (arrival to durable): avg %.0f us, p50 %d us, p99 %d us%n",
        p.latencyMicrosAvg(), p.latencyMicrosP50(), p.latencyMicrosP99());
    out.printf(Locale.ROOT, "  commit latency (submit to chosen): avg %.0f us, p50 %d us, p99 %d us%n",
        p.commitLatencyMicrosAvg(), p.commitLatencyMicrosP50(), p.commitLatencyMicrosP99());
    out.printf("  rounds run %d (%d without a majority)%n", p.roundsRun(), p.roundsFailed());
    out.printf("  messages sent %s%n", nonZero(p.messagesSent()));
    out.printf("  messages received %s%n", nonZero(p.messagesReceived()));
    for (RpcView r : p.rpc()) {
      if (r.sent() + r.received() + r.errors() > 0) {
        out.printf(Locale.ROOT,
            "  rpc %-14s sent %d, received %d, errors %d, latency avg %.0f us p50 %d us p99 %d us%n",
            r.type(), r.sent(), r.received(), r.errors(), r.latencyMicrosAvg(),
            r.latencyMicrosP50(), r.latencyMicrosP99());
      }
    }
  }

  /** Each server's view of every client, then the aggregate: each client on its own server. */
  void balanceMap(List<ServerView> views, List<Integer> rows) {
    StringBuilder head = new StringBuilder(String.format("%-10s", "view of"));
    for (int c : Servers.IDS) {
      head.append(String.format("%8s", Servers.name(c)));
    }
    out.println(head.append(String.format("%8s", "total")));
    for (int id : rows) {
      ServerView v = views.get(id - 1);
      StringBuilder row = new StringBuilder(String.format("%-10s", v.server()));
      if (!v.up()) {
        out.println(row.append("  down"));
        continue;
      }
      long total = 0;
      for (int c : Servers.IDS) {
        long b = v.balanceMap().get(Servers.name(c));
        total += b;
        row.append(String.format("%8d", b));
      }
      out.println(row.append(String.format("%8d", total))
          .append(v.notFinal() == null ? "" : "  (not final)"));
    }
    StringBuilder agg = new StringBuilder(String.format("%-10s", "aggregate"));
    long total = 0;
    boolean complete = true;
    for (int c : Servers.IDS) {
      ServerView own = views.get(c - 1);
      if (!own.up() || own.notFinal() != null) {
        agg.append(String.format("%8s", "?"));
        complete = false;
        continue;
      }
      total += own.balance();
      agg.append(String.format("%8d", own.balance()));
    }
    out.println(agg.append(String.format("%8d", total)));
    for (int c : Servers.IDS) {
      ServerView own = views.get(c - 1);
      if (own.up() && own.notFinal() != null) {
        out.printf("%s's balances are not final: %s%n", own.server(), own.notFinal());
      }
    }
    if (complete) {
      out.println(footnote(views, total));
    }
  }

  /**
   * Where the money the aggregate does not show is: the aggregate, plus transfers debited in a
   * local log and not chosen yet, plus credits in chosen blocks the recipient's server has not
   * learned, is all the money there is.
   */
  static String footnote(List<ServerView> views, long aggregate) {
    ServerView best = null;
    for (ServerView v : views) {
      if (v.up() && (best == null || v.committedSlot() > best.committedSlot())) {
        best = v;
      }
    }
    List<BlockView> chosen = best == null ? List.of() : best.blocks();
    long compacted = best == null || best.snapshot() == null ? 0 : best.snapshot().slot();
    for (ServerView v : views) {
      if (v.up() && v.committedSlot() < compacted) {
        // its missing credits and its local log's fate are in blocks no view shows any more
        return "(aggregate: each client as its own server sees it; " + v.server()
            + " has not learned the snapshot of slot " + compacted + " yet)";
      }
    }
    java.util.Set<Long> chosenIds = new java.util.HashSet<>();
    long unlearned = 0;
    for (BlockView b : chosen) {
      for (TransferView t : b.entries()) {
        chosenIds.add(t.id());
        if (views.get(Servers.parse(t.to()) - 1).committedSlot() < b.slot()) {
          unlearned += t.amount();
        }
      }
    }
    long inLogs = 0;
    for (ServerView v : views) {
      for (TransferView t : v.localLog()) {
        if (!chosenIds.contains(t.id())) {
          inLogs += t.amount();
        }
      }
    }
    StringBuilder s = new StringBuilder("(aggregate: each client as its own server sees it");
    if (inLogs > 0) {
      s.append("; ").append(inLogs)
          .append(" more is debited in local logs and credited once chosen");
    }
    if (unlearned > 0) {
      s.append("; ").append(unlearned)
          .append(" more is credited in chosen blocks the recipient's server has not learned yet");
    }
    return s.append(inLogs + unlearned > 0 ? "; " + (aggregate + inLogs + unlearned) + " in all)"
        : ")").toString();
  }

  /** {@code n} and the noun, in the plural unless n is 1: "1 slot", "2 slots". */
  static String plural(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  /** The whole cluster: distinct chosen transfers over the time the sets ran. */
  void clusterPerformance(List<ServerView> views, long setMillis) {
    long chosen = 0;
    long rounds = 0;
    long failed = 0;
    for (ServerView v : views) {
      if (v.up()) {
        chosen = Math.max(chosen, ServerView.chosenTransfers(v));
        rounds += v.performance().roundsRun();
        failed += v.performance().roundsFailed();
      }
    }
    out.printf(Locale.ROOT,
        "cluster: %d transfers chosen in %d ms of sets (%.1f/s); %d rounds run, %d without a"
            + " majority%n", chosen, setMillis, throughput(chosen, setMillis), rounds, failed);
  }

  void outcome(SetOutcome o) {
    out.printf("Set %d done (live %s): %d executed, %d pending, %d rejected; %s chosen in %d ms%s%n",
        o.set(), o.live(), o.executed(), o.pending(), o.rejected(),
        plural(o.chosenSlots(), "slot"), o.elapsedMillis(),
        o.earlierExecuted() == 0 ? ""
            : "; also executed " + plural(o.earlierExecuted(), "pending transfer")
                + " of earlier sets");
  }

  private boolean down(ServerView v) {
    if (!v.up()) {
      out.printf("%s is down%n", v.server());
    }
    return !v.up();
  }

  private static String transfers(List<TransferView> ts) {
    return ts.isEmpty() ? "-" : ts.stream().map(TransferView::toString).collect(Collectors.joining(" "));
  }

  private static String nonZero(java.util.Map<String, Long> m) {
    String s = m.entrySet().stream().filter(e -> e.getValue() > 0)
        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    return s.isEmpty() ? "-" : s;
  }
}
