package dev.modpaxos.bank.chaos;

import dev.modpaxos.bank.ServerView;
import dev.modpaxos.bank.ServerView.BlockView;
import dev.modpaxos.bank.ServerView.TransferView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every transfer acknowledged ok appears exactly once in the chosen blocks or in a surviving local
 * log (its sender's server's), and no server's blocks hold any transfer twice. A transfer that is
 * nowhere because its sender's data directory was wiped after it was acknowledged (the wipe
 * fault) was lost with the disk, by design: it is not a violation.
 */
final class AcknowledgedOnceChecker implements Checker {
  @Override
  public String name() {
    return "acknowledged-once";
  }

  @Override
  public List<String> check(History history, List<ServerView> finals) {
    List<String> out = new ArrayList<>();
    Map<Long, Integer> chosen = counts(Checker.chosen(finals));
    Map<Long, Integer> local = new HashMap<>();
    finals.forEach(v -> v.localLog().forEach(t -> local.merge(t.id(), 1, Integer::sum)));
    for (History.Invocation i : history.invocations()) {
      if (history.outcome(i.op()) != History.Outcome.OK) {
        continue;
      }
      int c = chosen.getOrDefault(i.transferId(), 0);
      int l = local.getOrDefault(i.transferId(), 0);
      if (c + l == 0 && history.wipedAfterAcknowledgement(i.from(), i.op())) {
        continue; // lost with the wiped disk (docs/RELIABILITY.md, the wipe fault)
      }
      if (c + l != 1) {
        out.add("transfer " + i.transferId() + " (op " + i.op() + ", acknowledged ok) is chosen "
            + c + " times and in local logs " + l + " times");
      }
    }
    for (ServerView v : finals) {
      List<TransferView> all = new ArrayList<>();
      for (BlockView b : v.blocks()) {
        all.addAll(b.entries());
      }
      counts(all).forEach((id, n) -> {
        if (n > 1) {
          out.add(v.server() + " holds transfer " + id + " in " + n + " chosen entries");
        }
      });
    }
    return out;
  }

  private static Map<Long, Integer> counts(List<TransferView> transfers) {
    Map<Long, Integer> m = new HashMap<>();
    transfers.forEach(t -> m.merge(t.id(), 1, Integer::sum));
    return m;
  }
}
