package dev.modpaxos.bank.chaos;

import dev.modpaxos.bank.ServerView;
import java.util.List;

/**
 * The checks the faults make while they run (history {@code breach} lines): a wiped server comes
 * back as a learner, executes nothing until it is re-admitted, and is re-admitted under a
 * generation above the one it had; a server killed with -9 starts again from its own directory.
 */
final class FaultCheckChecker implements Checker {
  @Override
  public String name() {
    return "fault-check";
  }

  @Override
  public List<String> check(History history, List<ServerView> finals) {
    return history.breaches();
  }
}
