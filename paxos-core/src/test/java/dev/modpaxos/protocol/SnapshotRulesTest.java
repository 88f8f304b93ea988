package dev.modpaxos.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modpaxos.protocol.Message.CatchUpRequest;
import dev.modpaxos.protocol.Message.Commit;
import dev.modpaxos.protocol.Message.SnapshotOffer;
import dev.modpaxos.spi.StoredState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** R20 in the pure core: snapshot state, compaction, offers and installs. */
class SnapshotRulesTest {
  private static final List<Integer> MEMBERS = List.of(1, 2, 3);
  private static final Entry E = new Entry(2, 1, new byte[] {7});
  private static final Entry F = new Entry(2, 2, new byte[] {8});

  private static ReplicaConfig config(int id) {
    return ReplicaConfig.builder(id, MEMBERS).trigger(RoundTrigger.ON_DEMAND).build();
  }

  /** Node 1, which learned slots 1 and 2 (entries E and F) from node 2. */
  private static Replica withTwoSlots(Rules rules) {
    Replica r = new Replica(config(1), StoredState.EMPTY, Boot.newCluster(1), rules);
    r.step(new Commit(2, 1, 1, new Block(List.of(E))));
    r.step(new Commit(2, 1, 2, new Block(List.of(F))));
    r.ready();
    return r;
  }

  @Test
  void theSnapshotStateRoundTripsTheIndexAndTheMembership() {
    Replica r = withTwoSlots(Rules.PAXOS);
    SnapshotState s = r.snapshotState();
    assertThat(s.slot()).isEqualTo(2);
    assertThat(s.index()).isEqualTo(r.log().index());
    assertThat(s.configs().lastEntry().getValue().generations())
        .containsEntry(1, 1).containsEntry(2, 1).containsEntry(3, 1);
    assertThat(new SnapshotState(2, s.bytes())).isEqualTo(s);
  }

  @Test
  void aDamagedSnapshotStateIsRefusedWithItsSlot() {
    SnapshotState junk = new SnapshotState(5, new byte[] {0, 0, 0, 9});
    assertThatThrownBy(junk::index)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("slot 5");
  }

  @Test
  void compactionDropsBlocksAndACatchUpFromBeforeItGetsAnOffer() {
    Replica r = withTwoSlots(Rules.PAXOS);
    r.snapshotTaken(2, 1);
    assertThat(r.compactedSlot()).isEqualTo(1);
    assertThat(r.chosenBlocks(1, 10)).isEmpty();
    assertThat(r.chosenBlocks(2, 10)).containsExactly(new Block(List.of(F)));
    r.step(new CatchUpRequest(3, 1, 1));
    assertThat(r.ready().allMessages()).containsExactly(new SnapshotOffer(1, 3, 2));
    r.step(new CatchUpRequest(3, 1, 2)); // still held: the blocks themselves
    assertThat(r.ready().allMessages()).singleElement().isInstanceOf(Message.CatchUp.class);
  }

  @Test
  void anInstalledSnapshotCommitsItsSlotsAndStillDropsTheirEntries() {
    SnapshotState s = withTwoSlots(Rules.PAXOS).snapshotState();
    Replica behind = new Replica(config(3), StoredState.EMPTY, Boot.newCluster(3));
    assertThat(behind.installSnapshot(s)).isTrue();
    assertThat(behind.committedSlot()).isEqualTo(2);
    assertThat(behind.installSnapshot(s)).isFalse(); // not ahead any more
    behind.ready();
    // A later leader recovers a minority vote holding E again, for slot 3 (R18): not admitted.
    behind.step(new Commit(2, 3, 3, new Block(List.of(E, new Entry(2, 3, new byte[] {9})))));
    Ready ready = behind.ready();
    assertThat(ready.chosen()).singleElement()
        .satisfies(sb -> assertThat(sb.block().ids()).containsExactly(new EntryId(2, 3)));
  }

  @Test
  void theBrokenVariantsSnapshotLetsAnEntryTakeEffectTwice() {
    SnapshotState s = withTwoSlots(new BrokenRulesAccess().noIndex()).snapshotState();
    Replica behind = new Replica(config(3), StoredState.EMPTY, Boot.newCluster(3));
    behind.installSnapshot(s);
    behind.ready();
    behind.step(new Commit(2, 3, 3, new Block(List.of(E))));
    assertThat(behind.ready().chosen()).singleElement()
        .satisfies(sb -> assertThat(sb.block().ids()).containsExactly(E.id())); // applied twice
  }

  @Test
  void aRestartFromSnapshotAndTailRebuildsTheSameReplica() {
    Replica r = withTwoSlots(Rules.PAXOS);
    SnapshotState s = r.snapshotState();
    StoredState stored =
        new StoredState(null, Ballot.ZERO, List.of(), List.of(new Block(List.of(F))), List.of(),
            java.util.Set.of(), 1, new FixedSnapshot(2));
    Replica again = new Replica(config(1), stored, Boot.newCluster(1).withSnapshot(s));
    assertThat(again.committedSlot()).isEqualTo(2);
    assertThat(again.compactedSlot()).isEqualTo(1);
    assertThat(again.snapshotSlot()).isEqualTo(2);
    assertThat(again.log().index()).isEqualTo(r.log().index());
  }

  /** Reaches the package-private variant through BrokenRules' public factory's rules. */
  private static final class BrokenRulesAccess {
    Rules noIndex() {
      return new Rules() {
        @Override
        boolean snapshotCarriesIndex() {
          return false;
        }
      };
    }
  }

  /** A stored snapshot whose bytes this test never reads. */
  private record FixedSnapshot(long slot) implements dev.modpaxos.spi.StoredSnapshot {
    @Override
    public long sizeBytes() {
      return 0;
    }

    @Override
    public int crc32c() {
      return 0;
    }

    @Override
    public byte[] read(long offset, int max) {
      return new byte[0];
    }

    @Override
    public java.io.InputStream open() {
      return java.io.InputStream.nullInputStream();
    }
  }
}
