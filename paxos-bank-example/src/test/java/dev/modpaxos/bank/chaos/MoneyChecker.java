package dev.modpaxos.bank.chaos;

import dev.modpaxos.bank.ServerView;
import dev.modpaxos.bank.ServerView.TransferView;
import dev.modpaxos.bank.Servers;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Money is conserved and no balance is negative: replaying the chosen transfers in slot order,
 * then every server's surviving local log, never takes a client below zero and keeps the total at
 * five times the initial balance; and each server's own ledger balances (its view of every client)
 * plus its local-log debits add up to that total.
 */
final class MoneyChecker implements Checker {
  private static final long TOTAL = Servers.COUNT * Servers.INITIAL_BALANCE;

  @Override
  public String name() {
    return "money";
  }

  @Override
  public List<String> check(History history, List<ServerView> finals) {
    List<String> out = new ArrayList<>();
    Map<String, Long> balance = new TreeMap<>();
    Servers.IDS.forEach(id -> balance.put(Servers.name(id), Servers.INITIAL_BALANCE));
    Set<Long> applied = new HashSet<>();
    List<TransferView> order = new ArrayList<>(Checker.chosen(finals));
    finals.forEach(v -> order.addAll(v.localLog()));
    for (TransferView t : order) {
      if (!applied.add(t.id())) {
        continue; // applied once by id, as the ledger does; duplicates are another checker's
      }
      long left = balance.merge(t.from(), -t.amount(), Long::sum);
      balance.merge(t.to(), t.amount(), Long::sum);
      if (left < 0) {
        out.add(t.from() + " goes to " + left + " with transfer " + t.id() + " " + t);
      }
    }
    long total = balance.values().stream().mapToLong(Long::longValue).sum();
    if (total != TOTAL) {
      out.add("replayed total is " + total + ", not " + TOTAL);
    }
    for (ServerView v : finals) {
      if (!v.up()) {
        continue;
      }
      long sum = v.balanceMap().values().stream().mapToLong(Long::longValue).sum()
          + v.localLog().stream().mapToLong(TransferView::amount).sum();
      if (sum != TOTAL) {
        out.add(v.server() + "'s ledger holds " + sum + " (balances plus local debits), not "
            + TOTAL);
      }
      if (v.balance() < 0) {
        out.add(v.server() + " reports its client's balance as " + v.balance());
      }
    }
    return out;
  }
}
