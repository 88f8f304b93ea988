package dev.modpaxos.bank.chaos;

import dev.modpaxos.bank.ServerView;
import dev.modpaxos.bank.ServerView.BlockView;
import dev.modpaxos.bank.ServerView.TransferView;
import dev.modpaxos.bank.Servers;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * No transfer is chosen (or kept in a local log) that was never submitted, or with other content
 * than submitted; and none whose submission definitely failed (never delivered).
 */
final class NoPhantomChecker implements Checker {
  @Override
  public String name() {
    return "no-phantom";
  }

  @Override
  public List<String> check(History history, List<ServerView> finals) {
    Map<Long, History.Invocation> submitted = history.byTransferId();
    Set<String> out = new LinkedHashSet<>();
    for (ServerView v : finals) {
      List<TransferView> seen = new ArrayList<>(v.localLog());
      for (BlockView b : v.blocks()) {
        seen.addAll(b.entries());
      }
      for (TransferView t : seen) {
        History.Invocation i = submitted.get(t.id());
        if (i == null) {
          out.add("transfer " + t.id() + " " + t + " was never submitted");
        } else if (!Servers.name(i.from()).equals(t.from()) || !Servers.name(i.to()).equals(t.to())
            || i.amount() != t.amount()) {
          out.add("transfer " + t.id() + " is " + t + " but was submitted as (" + i.from() + ", "
              + i.to() + ", " + i.amount() + ")");
        } else if (history.outcome(i.op()) == History.Outcome.FAILED) {
          out.add("transfer " + t.id() + " failed (never delivered) but " + v.server() + " has it");
        }
      }
    }
    return new ArrayList<>(out);
  }
}
