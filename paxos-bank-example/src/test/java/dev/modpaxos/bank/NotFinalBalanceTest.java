package dev.modpaxos.bank;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.local.InMemoryStore;
import dev.modpaxos.local.NetworkFaults;
import dev.modpaxos.spi.StateLoss;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A server whose node lost its state (R16) serves no balance as final: its ledger was rebuilt
 * from what survived and may lag what was chosen, so the view says why, PrintBalance and
 * PrintBalanceMap say "not final", and its client's transfers are refused, until it is
 * re-admitted. Here S1 runs alone, so no peer can re-admit it and it stays a learner.
 */
class NotFinalBalanceTest {
  private final LocalBackend backend = new LocalBackend();
  private final BankServer s1 =
      new BankServer(1, backend, new NetworkFaults(1), 10).foundingOnFirstStart();

  @AfterEach
  void close() {
    s1.close();
  }

  @Test
  void aServerWhoseStoreLostChosenBlocksShowsItsBalancesAsNotFinalAndRefusesTransfers() {
    s1.recover();
    assertThat(s1.view().notFinal()).as("an intact founding member").isNull();
    assertThat(print(p -> p.balance(s1.view(), 1))).isEqualTo("S1: 100\n");

    s1.crash();
    ((InMemoryStore) backend.openStore(1)).lose(StateLoss.CHOSEN_BLOCKS, new SplittableRandom(1));
    s1.recover();

    ServerView v = s1.view();
    assertThat(v.up()).isTrue();
    assertThat(v.notFinal()).contains("re-admi");
    assertThat(print(p -> p.balance(v, 1))).startsWith("S1: 100, not final: ").endsWith("\n")
        .doesNotContain("\n\n");
    List<ServerView> views = new ArrayList<>();
    views.add(v);
    for (int id = 2; id <= 5; id++) {
      views.add(new ServerView("S" + id, false, true, 0, 0, java.util.Map.of(), List.of(),
          List.of(), List.of(), null));
    }
    String map = print(p -> p.balanceMap(views, Servers.IDS));
    assertThat(map).contains("(not final)").contains("S1's balances are not final: ");
    TransferResult t = s1.transfer(new Transfer(1, 1, 2, 1));
    assertThat(t.status()).isEqualTo(TransferResult.Status.UNDELIVERED);
    assertThat(t.reason()).startsWith("S1 is not voting: ").doesNotContain("\n");
    assertThat(s1.view().pending()).as("refused, not queued").isEmpty();
    assertThat(s1.view().balance()).isEqualTo(100);
  }

  private static String print(java.util.function.Consumer<Printer> what) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    what.accept(new Printer(new PrintStream(bytes, true, StandardCharsets.UTF_8)));
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
