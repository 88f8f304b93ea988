package dev.modpaxos.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.protocol.Message.CatchUp;
import dev.modpaxos.protocol.Message.CatchUpRequest;
import dev.modpaxos.protocol.Message.Prepare;
import dev.modpaxos.protocol.Message.Promise;
import dev.modpaxos.spi.StoredState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Messages stay below the configured caps, and an oversized item still goes alone. */
class BudgetTest {
  private static final List<Integer> MEMBERS = List.of(1, 2, 3);

  @Test
  void budgetAlwaysTakesOneItemThenStopsAtEitherCap() {
    Budget b = new Budget(3, 100);
    assertThat(b.take(1, 1_000)).as("the first item, however large").isTrue();
    assertThat(b.take(1, 1)).isFalse();
    Budget c = new Budget(2, 1_000);
    assertThat(c.take(1, 10)).isTrue();
    assertThat(c.take(1, 10)).isTrue();
    assertThat(c.take(1, 10)).as("entry cap").isFalse();
  }

  @Test
  void promiseCarriesAtMostOneBlockOfTheLocalLog() {
    Replica r =
        new Replica(
            ReplicaConfig.builder(3, MEMBERS)
                .trigger(RoundTrigger.ON_DEMAND)
                .blockEntriesMax(4)
                .build(),
            StoredState.EMPTY);
    for (int i = 0; i < 10; i++) {
      r.submit(new byte[] {(byte) i});
    }
    r.ready();
    r.step(new Prepare(1, 3, new Ballot(1, 1), 0));
    Promise p = (Promise) r.ready().allMessages().get(0);
    assertThat(p.localLog()).extracting(Entry::seq).containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void catchUpIsCappedByBytesAndAsksForTheRest() {
    List<Block> chosen = new ArrayList<>();
    for (int slot = 1; slot <= 10; slot++) {
      chosen.add(new Block(List.of(new Entry(1, slot, new byte[400]))));
    }
    ReplicaConfig small = ReplicaConfig.builder(1, MEMBERS).blockBytesMax(500).build();
    Replica ahead = new Replica(small, new StoredState(dev.modpaxos.spi.StoreIdentity.founding("modpaxos", 1), Ballot.ZERO, List.of(),
        chosen, List.of(), java.util.Set.of()));
    ahead.step(new CatchUpRequest(2, 1, 1));
    CatchUp batch = (CatchUp) ahead.ready().allMessages().get(0);
    assertThat(batch.blocks()).hasSize(4); // 4 x 500 bytes per CATCHUP, about 432 bytes each

    Replica node2 =
        new Replica(ReplicaConfig.builder(2, MEMBERS).blockBytesMax(500).build(), StoredState.EMPTY);
    node2.step(batch);
    assertThat(node2.committedSlot()).isEqualTo(4);
    assertThat(node2.ready().allMessages())
        .singleElement()
        .isEqualTo(new CatchUpRequest(2, 1, 5));
  }
}
