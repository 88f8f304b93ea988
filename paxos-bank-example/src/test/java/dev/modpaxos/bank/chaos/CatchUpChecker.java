package dev.modpaxos.bank.chaos;

import dev.modpaxos.bank.ServerView;
import java.util.ArrayList;
import java.util.List;

/** After healing, every server is up and has caught up to the same last slot. */
final class CatchUpChecker implements Checker {
  @Override
  public String name() {
    return "caught-up";
  }

  @Override
  public List<String> check(History history, List<ServerView> finals) {
    List<String> out = new ArrayList<>();
    long top = finals.stream().mapToLong(ServerView::committedSlot).max().orElse(0);
    for (ServerView v : finals) {
      if (!v.up()) {
        out.add(v.server() + " is not up after healing");
      } else if (v.committedSlot() != top) {
        out.add(v.server() + " is at slot " + v.committedSlot() + ", others reached " + top);
      } else if (v.blocks().size() != top) {
        out.add(v.server() + " shows " + v.blocks().size() + " blocks for slot " + top);
      }
    }
    return out;
  }
}
