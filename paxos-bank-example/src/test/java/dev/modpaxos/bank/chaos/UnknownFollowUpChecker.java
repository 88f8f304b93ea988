package dev.modpaxos.bank.chaos;

import dev.modpaxos.bank.ServerView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every operation whose outcome stayed unknown is, after healing and catch-up, executed exactly
 * once (chosen, or in a surviving local log) or not at all. Not at all is allowed: a PENDING
 * transfer dies with its server's process (the pending queue is not durable), and a transfer that
 * never reached its server never ran. Executed twice is a violation.
 */
final class UnknownFollowUpChecker implements Checker {
  /** How the unknown operations ended: executed once, or not executed (lost). */
  record Counts(long executed, long lost) {}

  @Override
  public String name() {
    return "unknown-follow-up";
  }

  @Override
  public List<String> check(History history, List<ServerView> finals) {
    List<String> out = new ArrayList<>();
    Map<Long, Integer> seen = Checker.executions(finals);
    for (History.Invocation i : history.invocations()) {
      int n = seen.getOrDefault(i.transferId(), 0);
      if (history.outcome(i.op()) == History.Outcome.UNKNOWN && n > 1) {
        out.add("transfer " + i.transferId() + " (op " + i.op() + ", unknown) is executed " + n
            + " times (chosen and in local logs)");
      }
    }
    return out;
  }

  /** The unknown operations executed (once or more) and those not executed at all. */
  static Counts counts(History history, List<ServerView> finals) {
    Map<Long, Integer> seen = Checker.executions(finals);
    long executed = 0;
    long lost = 0;
    for (History.Invocation i : history.invocations()) {
      if (history.outcome(i.op()) == History.Outcome.UNKNOWN) {
        if (seen.getOrDefault(i.transferId(), 0) > 0) {
          executed++;
        } else {
          lost++;
        }
      }
    }
    return new Counts(executed, lost);
  }
}
