package dev.modpaxos.bank.chaos;

import dev.modpaxos.bank.ServerView;
import dev.modpaxos.bank.ServerView.BlockView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** All servers agree on every chosen slot: the blocks they hold for one slot are identical. */
final class AgreementChecker implements Checker {
  @Override
  public String name() {
    return "agreement";
  }

  @Override
  public List<String> check(History history, List<ServerView> finals) {
    List<String> out = new ArrayList<>();
    Map<Long, BlockView> first = new HashMap<>();
    Map<Long, String> firstServer = new HashMap<>();
    for (ServerView v : finals) {
      for (BlockView b : v.blocks()) {
        BlockView seen = first.putIfAbsent(b.slot(), b);
        firstServer.putIfAbsent(b.slot(), v.server());
        if (seen != null && !seen.entries().equals(b.entries())) {
          out.add("slot " + b.slot() + ": " + firstServer.get(b.slot()) + " has " + seen.entries()
              + ", " + v.server() + " has " + b.entries());
        }
      }
    }
    return out;
  }
}
