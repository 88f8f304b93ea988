package dev.modpaxos.bank.chaos;

import dev.modpaxos.bank.ServerView;
import dev.modpaxos.bank.ServerView.BlockView;
import dev.modpaxos.bank.ServerView.TransferView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One check over a chaos run's history and the servers' final views (taken after healing). Each
 * returns its violations, one line each; empty means it holds.
 */
interface Checker {
  String name();

  List<String> check(History history, List<ServerView> finals);

  /** All checkers, in report order. */
  static List<Checker> all() {
    List<Checker> all = new ArrayList<>(onViews());
    all.add(new LivenessChecker());
    all.add(new FaultCheckChecker());
    return all;
  }

  /** The checkers that judge the final views (the cold restart runs them again). */
  static List<Checker> onViews() {
    return List.of(new MoneyChecker(), new AcknowledgedOnceChecker(), new NoPhantomChecker(),
        new AgreementChecker(), new CatchUpChecker(), new UnknownFollowUpChecker());
  }

  /** Runs every checker; each violation is prefixed with its checker's name. */
  static List<String> runAll(History history, List<ServerView> finals) {
    return run(all(), history, finals);
  }

  /** Runs {@code checkers}; each violation is prefixed with its checker's name. */
  static List<String> run(List<Checker> checkers, History history, List<ServerView> finals) {
    List<String> out = new ArrayList<>();
    for (Checker c : checkers) {
      c.check(history, finals).forEach(v -> out.add(c.name() + ": " + v));
    }
    return out;
  }

  /** The chosen blocks of the server that knows the most slots (the others must agree). */
  static List<BlockView> reference(List<ServerView> finals) {
    return finals.stream().filter(ServerView::up)
        .max(Comparator.comparingLong(ServerView::committedSlot))
        .map(ServerView::blocks).orElse(List.of());
  }

  /** Transfer id to the number of times it is chosen (reference blocks) plus held in local logs. */
  static java.util.Map<Long, Integer> executions(List<ServerView> finals) {
    java.util.Map<Long, Integer> m = new java.util.HashMap<>();
    chosen(finals).forEach(t -> m.merge(t.id(), 1, Integer::sum));
    finals.forEach(v -> v.localLog().forEach(t -> m.merge(t.id(), 1, Integer::sum)));
    return m;
  }

  /** Every transfer in the reference chosen blocks, in slot order. */
  static List<TransferView> chosen(List<ServerView> finals) {
    List<TransferView> out = new ArrayList<>();
    reference(finals).forEach(b -> out.addAll(b.entries()));
    return out;
  }
}
