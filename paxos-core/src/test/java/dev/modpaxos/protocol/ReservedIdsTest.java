package dev.modpaxos.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modpaxos.protocol.Message.Accept;
import dev.modpaxos.spi.IdFloor;
import dev.modpaxos.spi.StoreIdentity;
import dev.modpaxos.spi.StoredState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** R15, reserved ids: own new entries in early ACCEPTs, the id floor, and the fence after a crash. */
class ReservedIdsTest {
  private static final List<Integer> MEMBERS = List.of(1, 2, 3);

  private static ReplicaConfig config(int id) {
    return ReplicaConfig.builder(id, MEMBERS)
        .trigger(RoundTrigger.AUTO)
        .seed(id)
        .roundTimeoutTicks(10)
        .backoffTicksMax(2)
        .promiseWaitTicks(0)
        .forwardIntervalTicks(5)
        .build();
  }

  /** A cluster of three in which node 1, on a store that keeps an id floor, leads. */
  private static ManualCluster withLeaderOne() {
    ManualCluster c = new ManualCluster(3, RoundTrigger.AUTO, b -> b);
    c.put(new Replica(config(1), StoredState.EMPTY, Boot.newCluster(11).withIdFloors(true)));
    c.submit(1, 1);
    for (int i = 0; i < 30 && c.node(3).committedSlot() < 1; i++) {
      c.run(1);
    }
    assertThat(c.node(1).isLeader()).isTrue();
    return c.forget();
  }

  private static List<Accept> accepts(List<Message> ms) {
    List<Accept> out = new ArrayList<>();
    for (Message m : ms) {
      if (m instanceof Accept a) {
        out.add(a);
      }
    }
    return out;
  }

  @Test
  void aLeaderSendsItsNewEntriesEarlyOnlyOnceASyncedIdFloorCoversThem() {
    ManualCluster c = withLeaderOne();
    c.submit(1, 2);
    Ready first = c.last(1);
    assertThat(accepts(first.messages())).as("no floor is synced yet: after the sync").hasSize(2);
    assertThat(accepts(first.early())).isEmpty();
    long seq = first.appended().get(0).seq();
    assertThat(first.idFloor()).isEqualTo(new IdFloor(seq, seq + 1 + Replica.ID_RESERVE));
    assertThat(first.needsSync()).isTrue();

    c.submit(1, 3);
    Ready second = c.last(1);
    assertThat(accepts(second.early())).as("covered by the floor the last batch synced")
        .hasSize(2);
    assertThat(second.idFloor()).as("the reserve is far from used up").isNull();
  }

  @Test
  void aStoreWithoutAnIdFloorKeepsNewEntriesForAfterTheSync() {
    ManualCluster c = new ManualCluster(3, RoundTrigger.AUTO, b -> b);
    c.submit(1, 1);
    for (int i = 0; i < 30 && c.node(3).committedSlot() < 1; i++) {
      c.run(1);
    }
    c.forget();
    for (int p = 2; p < 5; p++) {
      c.submit(1, p);
      assertThat(accepts(c.last(1).early())).isEmpty();
      assertThat(c.last(1).idFloor()).isNull();
    }
  }

  @Test
  void aRestartWithAnIdFloorSkipsItsIdsAndTakesSubmitsOnlyOnceItsFenceIsApplied() {
    ManualCluster c = new ManualCluster(3, RoundTrigger.AUTO, b -> b);
    StoreIdentity id = StoreIdentity.founding(config(1).clusterId(), 1);
    Entry kept = new Entry(1, 5, new byte[] {5});
    Entry later = new Entry(1, 7, new byte[] {7});
    StoredState crashed = new StoredState(id, Ballot.ZERO, List.of(), List.of(),
        List.of(kept, later), Set.of(), 0, null, List.of(), new IdFloor(5, 100));
    Replica r = new Replica(config(1), crashed, Boot.existing(3).withIdFloors(true));
    assertThat(r.submitRefusal()).contains("fencing the entry ids");
    assertThatThrownBy(() -> r.submit(new byte[] {9}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("R15");
    c.put(r);
    for (int i = 0; i < 200 && r.submitRefusal() != null; i++) {
      c.run(1);
    }
    assertThat(r.submitRefusal()).as("the fence was chosen and applied").isNull();

    // The same restart, which learns of the fence only from a snapshot that covers its slot
    // (R20): it takes submits again within a round timeout.
    Replica same = new Replica(config(1), crashed, Boot.existing(4).withIdFloors(true));
    assertThat(same.submitRefusal()).isNotNull();
    assertThat(same.installSnapshot(c.node(2).snapshotState())).isTrue();
    for (int t = 0; t <= config(1).roundTimeoutTicks() && same.submitRefusal() != null; t++) {
      same.tick();
      same.ready();
    }
    assertThat(same.submitRefusal()).as("its fence is in the installed index").isNull();
    EntryId next = r.submit(new byte[] {9});
    assertThat(next.seq()).as("no id below the floor is handed out again").isEqualTo(100);

    // A leaked entry of the fenced range, chosen after the fence, does not take effect; the kept
    // ones do (they are acknowledged), wherever they are chosen.
    Entry leaked = new Entry(1, 6, new byte[] {6});
    for (int i = 0; i < 200 && r.localLogSize() > 0; i++) {
      c.run(1);
    }
    assertThat(r.localLogSize()).as("kept entries and the new one are chosen").isZero();
    List<Entry> chosen = new ArrayList<>();
    for (long s = 1; s <= c.node(2).committedSlot(); s++) {
      chosen.addAll(c.node(2).chosen(s).entries());
    }
    assertThat(chosen).contains(kept, later).doesNotContain(leaked);
    Replica follower = c.node(2);
    long slot = follower.committedSlot() + 1;
    Ballot high = new Ballot(1_000, 3);
    follower.step(new Message.Prepare(3, 2, high, follower.committedSlot()));
    follower.step(new Accept(3, 2, high, slot, new Block(List.of(leaked))));
    follower.step(new Message.Commit(3, 2, slot, new Block(List.of(leaked))));
    assertThat(follower.committedSlot()).isEqualTo(slot);
    assertThat(follower.chosen(slot).entries()).as("admission drops a fenced id").isEmpty();
  }

  @Test
  void aRestartAfterACleanStopFencesNothing() {
    StoreIdentity id = StoreIdentity.founding(config(1).clusterId(), 1);
    StoredState clean = new StoredState(id, Ballot.ZERO, List.of(), List.of(),
        List.of(new Entry(1, 5, new byte[] {5})), Set.of(), 0, null, List.of(), IdFloor.NONE);
    Replica r = new Replica(config(1), clean, Boot.existing(3).withIdFloors(true));
    assertThat(r.submitRefusal()).isNull();
    assertThat(r.submit(new byte[] {1}).seq()).isEqualTo(6);
  }

  @Test
  void aFenceTakesItsRangeButTheKeptIdsAndASnapshotCarriesIt() throws Exception {
    ChosenIndex index = new ChosenIndex();
    index.add(new EntryId(1, 1));
    index.add(new EntryId(1, 3));
    index.fence(new IdFence(1, 1, 2, 10, new long[] {5}));
    assertThat(index.contains(new EntryId(1, 2))).isTrue();
    assertThat(index.contains(new EntryId(1, 9))).isTrue();
    assertThat(index.contains(new EntryId(1, 5))).as("kept").isFalse();
    assertThat(index.contains(new EntryId(1, 10))).as("past the range").isFalse();
    assertThat(index.contains(new EntryId(2, 2))).as("another node's").isFalse();
    assertThat(index.size()).as("fenced ids are not chosen entries").isEqualTo(2);
    assertThat(index.add(new EntryId(1, 5))).isTrue();
    assertThat(index.add(new EntryId(1, 7))).as("taken by the fence").isFalse();
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    index.writeTo(new java.io.DataOutputStream(bytes));
    ChosenIndex back = ChosenIndex.readFrom(
        new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())));
    assertThat(back).isEqualTo(index);
    assertThat(back.contains(new EntryId(1, 8))).isTrue();
    index.fence(new IdFence(1, 2, EntryId.firstSeq(1) + 1, 20, new long[0]));
    assertThat(index.contains(new EntryId(1, 12)))
        .as("a range not of the fence's generation takes nothing").isFalse();
  }

  @Test
  void anIdFenceEncodesItsRangeAndKeptIdsAndRejectsJunk() {
    IdFence f = new IdFence(2, 1, 10, 50, new long[] {12, 40});
    IdFence back = IdFence.of(f.toEntry());
    assertThat(back).isEqualTo(f);
    assertThat(back.keeps(12)).isTrue();
    assertThat(back.keeps(13)).isFalse();
    Entry e = f.toEntry();
    byte[] bad = e.payload();
    bad[bad.length - 1] ^= 1; // a kept seq changed: the id no longer matches the content
    assertThat(IdFence.of(new Entry(EntryId.CONTROL, e.seq(), bad))).isNull();
    assertThat(IdFence.of(new Entry(EntryId.CONTROL, 1, new byte[] {'F'}))).isNull();
    assertThatThrownBy(() -> new IdFence(2, 1, 10, 50, new long[] {40, 12}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
