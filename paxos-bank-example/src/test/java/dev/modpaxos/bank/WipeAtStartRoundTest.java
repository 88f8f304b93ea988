package dev.modpaxos.bank;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.local.InMemoryStore;
import dev.modpaxos.local.NetworkFaults;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bank's own timing over a real PaxosNode: a server wiped before any slot was chosen must not
 * stall the four others (the chaos wipe fault found it: no slot chosen for 57 s, and the learner
 * never re-admitted; LearnerStallTest is the core's scenario). Before the fix S1's round did not
 * finish in 60 s.
 */
class WipeAtStartRoundTest {
  private final LocalBackend backend = new LocalBackend();
  private final NetworkFaults faults = new NetworkFaults(1);
  private final List<BankServer> servers = new ArrayList<>();

  @AfterEach
  void close() {
    servers.forEach(BankServer::close);
  }

  @Test
  void roundsGoOnAfterAMemberIsWipedAtSlotZero() {
    for (int id = 1; id <= 5; id++) {
      BankServer s = new BankServer(id, backend, faults, 10).foundingOnFirstStart();
      s.recover();
      servers.add(s);
    }
    BankServer s2 = servers.get(1);
    s2.crash();
    ((InMemoryStore) backend.openStore(2)).wipe();
    s2.recover();
    assertThat(s2.view().notFinal()).isNotNull();
    long t0 = System.nanoTime();
    TransferResult r = servers.get(0).transfer(new Transfer(1, 1, 3, 101));
    assertThat(r.roundsRun()).isEqualTo(1);
    assertThat(servers.get(0).view().committedSlot()).as("answer %s after %d ms", r,
        (System.nanoTime() - t0) / 1_000_000).isPositive();
  }
}
