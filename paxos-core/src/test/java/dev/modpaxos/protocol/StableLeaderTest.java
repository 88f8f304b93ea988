package dev.modpaxos.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.spi.StoredState;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/** R13: after the first won PREPARE, a stable leader decides later slots with ACCEPT only. */
class StableLeaderTest {

  @Test
  void laterSlotsNeedNoPrepareAndFollowersForwardToTheLeader() {
    List<Integer> members = List.of(1, 2, 3, 4, 5);
    List<Replica> rs = new ArrayList<>();
    for (int id : members) {
      rs.add(new Replica(ReplicaConfig.builder(id, members).build(), StoredState.EMPTY));
    }
    Deque<Message> wire = new ArrayDeque<>();
    int prepares = 0;
    int forwards = 0;
    for (int round = 0; round < 50; round++) {
      rs.get(round % 5).submit(new byte[] {(byte) round});
      for (int t = 0; t < 3; t++) {
        for (Replica r : rs) {
          r.tick();
          wire.addAll(r.ready().allMessages());
        }
        while (!wire.isEmpty()) {
          Message m = wire.poll();
          prepares += m instanceof Message.Prepare ? 1 : 0;
          forwards += m instanceof Message.Forward ? 1 : 0;
          Replica to = rs.get(m.to() - 1);
          to.step(m);
          wire.addAll(to.ready().allMessages());
          Invariants.check(to);
        }
      }
    }
    for (Replica r : rs) {
      assertThat(r.chosenEntries()).isEqualTo(50);
      assertThat(r.localLog()).isEmpty();
    }
    assertThat(rs.get(0).committedSlot()).isGreaterThan(10);
    assertThat(prepares).as("one PREPARE phase (to 4 peers), then ACCEPT only").isEqualTo(4);
    assertThat(forwards).isPositive();
  }
}
