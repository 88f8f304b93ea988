package dev.modpaxos.bank.chaos;

import dev.modpaxos.bank.ServerView;
import dev.modpaxos.bank.ServerView.BlockView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The cold restart: after healing and the final views, the driver kills every server with -9,
 * starts all five again from their directories, lets them catch up and reads their views again.
 * Those views must pass every view checker ({@link Checker#onViews()}, reported with the prefix
 * {@value #PREFIX}), and they must keep what the run left: the reference blocks of every slot the
 * servers reached before (same slot, same entries), and every transfer that was executed before
 * (chosen, or in a local log), so a write that was acknowledged or applied but never persisted is
 * seen.
 */
final class ColdRestartChecker implements Checker {
  static final String PREFIX = "after cold restart: ";
  private final List<ServerView> before;

  /** {@code before}: the final views taken before the cold restart. */
  ColdRestartChecker(List<ServerView> before) {
    this.before = before;
  }

  @Override
  public String name() {
    return "cold-restart";
  }

  /** Every violation of the views after the cold restart, each with its prefix. */
  List<String> checkAll(History history, List<ServerView> after) {
    List<String> out = new ArrayList<>();
    Checker.run(Checker.onViews(), history, after).forEach(v -> out.add(PREFIX + v));
    check(history, after).forEach(v -> out.add(name() + ": " + v));
    return out;
  }

  @Override
  public List<String> check(History history, List<ServerView> after) {
    List<String> out = new ArrayList<>();
    List<BlockView> was = Checker.reference(before);
    List<BlockView> is = Checker.reference(after);
    if (is.size() < was.size()) {
      out.add("the servers reach slot " + is.size() + " after the cold restart, "
          + was.size() + " before");
    }
    for (int k = 0; k < Math.min(was.size(), is.size()); k++) {
      if (!was.get(k).equals(is.get(k))) {
        out.add("slot " + was.get(k).slot() + " held " + was.get(k).entries()
            + " before the cold restart, " + is.get(k).entries() + " after");
      }
    }
    Map<Long, Integer> executedAfter = Checker.executions(after);
    Checker.executions(before).keySet().stream().sorted()
        .filter(id -> !executedAfter.containsKey(id)).limit(20)
        .forEach(id -> out.add("transfer " + id + " was executed before the cold restart and"
            + " is gone after it"));
    return out;
  }
}
