package dev.modpaxos.bank.chaos;

import dev.modpaxos.bank.ServerView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * With a majority healthy, acknowledged work progresses within {@link #BOUND_MILLIS}. The bound
 * is a liveness knob, generous on purpose (the suite also runs on a machine loaded with busy
 * loops); it judges progress, never the content of a result.
 *
 * <ol>
 *   <li><b>During the run.</b> A <em>breaking</em> fault is one that may leave fewer than a
 *       majority of the servers up, connected and running: a majority disconnect ({@code
 *       disconnect} with "(majority)"), {@code killall}, {@code longpause} (a server stopped past
 *       the transport's keepalive), and the network and sync faults ({@code split}, {@code
 *       oneway}, {@code lossy}, {@code syncfail}, {@code slowsync}), counted breaking whatever
 *       their target, and an overlapping pause ({@code overlap}: a second server stopped during
 *       a disconnect or a network fault). It lasts from its fault line to the next fault line of
 *       another kind (the nemesis injects one main fault at a time, and its end is the next
 *       line), an overlapping pause to its {@code overlapend} line. The other faults
 *       (kill, pause, minority disconnect, wipe, corrupt, diskfull: one server, or two of five)
 *       leave three or more servers healthy. Between the first invocation and the last
 *       invocation of the clients, outside breaking faults, no stretch longer than the bound
 *       passes without an acknowledgement (an {@code ok} or {@code acked} line of any client).
 *       A stretch is cut where a breaking fault starts or ends, so the recovery after one counts
 *       against the bound.
 *   <li><b>After healing.</b> Every probe the driver sends after healing (a transfer of 1 by
 *       each server whose queue is empty and client has money, history {@code probe} lines) is
 *       acknowledged ok within the bound of its invocation.
 * </ol>
 */
final class LivenessChecker implements Checker {
  static final long BOUND_MILLIS = 30_000;
  static final String AFTER_HEALING = "liveness after healing";
  private static final Set<String> BREAKING =
      Set.of("killall", "longpause", "split", "oneway", "lossy", "syncfail", "slowsync",
          "overlap");

  @Override
  public String name() {
    return "liveness";
  }

  @Override
  public List<String> check(History history, List<ServerView> finals) {
    List<String> out = new ArrayList<>();
    long first = Long.MAX_VALUE;
    long last = -1;
    for (History.Invocation i : history.invocations()) {
      if (!history.probes().containsKey(i.op())) {
        first = Math.min(first, history.invokedMillis(i.op()));
        last = Math.max(last, history.invokedMillis(i.op()));
      }
    }
    if (last >= 0) {
      List<long[]> healthy = healthySpans(history.faultLines(), first, last);
      List<Long> acks = history.acknowledgementMillis();
      for (long[] span : healthy) {
        long previous = span[0];
        for (long t : acks) {
          if (t > span[0] && t <= span[1]) {
            report(out, previous, t);
            previous = t;
          }
        }
        report(out, previous, span[1]);
      }
    }
    for (Map.Entry<Long, String> p : history.probes().entrySet()) {
      if (!p.getValue().startsWith(AFTER_HEALING)) {
        continue;
      }
      long op = p.getKey();
      long took = history.okMillis(op) - history.invokedMillis(op);
      if (history.outcome(op) != History.Outcome.OK || took > BOUND_MILLIS) {
        out.add("probe op " + op + " (" + p.getValue() + ") was not acknowledged within "
            + BOUND_MILLIS + " ms: " + history.outcome(op)
            + (history.outcome(op) == History.Outcome.OK ? " after " + took + " ms" : ""));
      }
    }
    return out;
  }

  private static void report(List<String> out, long from, long to) {
    if (to - from > BOUND_MILLIS) {
      out.add("no operation acknowledged from " + from + " ms to " + to + " ms (" + (to - from)
          + " ms, bound " + BOUND_MILLIS + " ms) with a majority healthy");
    }
  }

  /** The spans of [first, last] outside every breaking fault, as {from, to} pairs. */
  static List<long[]> healthySpans(List<History.FaultLine> faults, long first, long last) {
    List<long[]> out = new ArrayList<>();
    long from = first;
    for (int i = 0; i < faults.size(); i++) {
      History.FaultLine f = faults.get(i);
      if (!breaking(f)) {
        continue;
      }
      long end = last;
      for (int j = i + 1; j < faults.size(); j++) {
        String next = faults.get(j).kind();
        // An overlapping pause ends at its own overlapend line; the main fault it overlaps ends
        // at the next line of another kind that is not the overlap's.
        boolean ends = f.kind().equals("overlap") ? next.equals("overlapend")
            : !next.equals(f.kind()) && !next.startsWith("overlap");
        if (ends) {
          end = faults.get(j).millis();
          break;
        }
      }
      if (f.millis() > from) {
        out.add(new long[] {from, Math.min(f.millis(), last)});
      }
      from = Math.max(from, end);
    }
    if (from < last) {
      out.add(new long[] {from, last});
    }
    out.removeIf(s -> s[1] <= s[0]);
    return out;
  }

  private static boolean breaking(History.FaultLine f) {
    return BREAKING.contains(f.kind())
        || f.kind().equals("disconnect") && f.detail().contains("(majority)");
  }
}
