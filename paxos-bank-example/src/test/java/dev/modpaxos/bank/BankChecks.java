package dev.modpaxos.bank;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.bank.ServerView.BlockView;
import dev.modpaxos.bank.ServerView.TransferView;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The invariants every test checks after every set, on the views of all five servers. */
final class BankChecks {
  private BankChecks() {}

  static void checkAll(Cluster cluster) {
    List<ServerView> views = cluster.views();
    ServerView longest = null;
    for (ServerView v : views) {
      if (v.up() && (longest == null || v.blocks().size() > longest.blocks().size())) {
        longest = v;
      }
    }
    assertThat(longest).as("some server is up").isNotNull();
    for (ServerView v : views) {
      if (!v.up()) {
        continue;
      }
      assertThat(longest.blocks().subList(0, v.blocks().size()))
          .as("%s agrees with %s on every slot it has", v.server(), longest.server())
          .isEqualTo(v.blocks());
      v.balanceMap().forEach(
          (client, b) -> assertThat(b).as("%s's view of %s", v.server(), client).isNotNegative());
    }
    List<ServerHandle> live = cluster.liveUp();
    for (ServerHandle s : live) {
      assertThat(s.view().blocks())
          .as("live %s agrees with live %s on every slot", Servers.name(s.id()),
              Servers.name(live.get(0).id()))
          .isEqualTo(live.get(0).view().blocks());
    }
    checkMoneyConserved(views, longest);
  }

  /** 500 = balances over the chosen blocks, less local debits, plus the credits in flight. */
  private static void checkMoneyConserved(List<ServerView> views, ServerView longest) {
    long[] balance = new long[Servers.COUNT + 1];
    Set<Long> chosen = new HashSet<>();
    for (int c = 1; c <= Servers.COUNT; c++) {
      balance[c] = Servers.INITIAL_BALANCE;
    }
    for (BlockView b : longest.blocks()) {
      for (TransferView t : b.entries()) {
        assertThat(chosen.add(t.id())).as("transfer %s chosen once", t.id()).isTrue();
        balance[Servers.parse(t.from())] -= t.amount();
        balance[Servers.parse(t.to())] += t.amount();
      }
    }
    long inFlight = 0;
    for (ServerView v : views) {
      if (!v.up()) {
        return; // a crashed server's local log is on disk only: conservation is checked later
      }
      for (TransferView t : v.localLog()) {
        if (!chosen.contains(t.id())) {
          balance[Servers.parse(t.from())] -= t.amount();
          inFlight += t.amount();
        }
      }
    }
    long total = inFlight;
    for (int c = 1; c <= Servers.COUNT; c++) {
      assertThat(balance[c]).as("S%d's balance", c).isNotNegative();
      total += balance[c];
      ServerView own = views.get(c - 1);
      assertThat(own.balance()).as("S%d's own view never exceeds its balance", c)
          .isLessThanOrEqualTo(balance[c]);
    }
    assertThat(total).as("money conserved").isEqualTo(Servers.COUNT * Servers.INITIAL_BALANCE);
  }
}
