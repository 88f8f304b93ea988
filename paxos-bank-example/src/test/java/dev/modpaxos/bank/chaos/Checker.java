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
    return List.of(new MoneyChecker(), new AcknowledgedOnceChecker(), new NoPhantomChecker(),
        new AgreementChecker(), new CatchUpChecker());
  }

  /** Runs every checker; each violation is prefixed with its checker's name. */
  static List<String> runAll(History history, List<ServerView> finals) {
    List<String> out = new ArrayList<>();
    for (Checker c : all()) {
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

  /** Every transfer in the reference chosen blocks, in slot order. */
  static List<TransferView> chosen(List<ServerView> finals) {
    List<TransferView> out = new ArrayList<>();
    reference(finals).forEach(b -> out.addAll(b.entries()));
    return out;
  }
}
