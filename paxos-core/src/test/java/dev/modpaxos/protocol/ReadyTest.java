package dev.modpaxos.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.StoreIdentity;
import dev.modpaxos.spi.StoredState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;

/** R15: which batches must be persisted, and which must be synced before they are sent. */
class ReadyTest {
  private static final Entry ENTRY = new Entry(1, 1, new byte[] {1});
  private static final Block BLOCK = new Block(List.of(ENTRY));

  private static Ready with(
      StoreIdentity identity, Ballot promised, Proposal accepted, List<Entry> appended,
      List<SlotBlock> chosen, List<EntryId> removed) {
    return new Ready(identity, promised, accepted == null ? List.of() : List.of(accepted), appended,
        chosen, removed, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
        List.of(), false);
  }

  /** Records the writes it is handed, in order. */
  private static final class RecordingStore implements Store {
    final List<String> writes = new ArrayList<>();

    @Override
    public StoredState load() {
      return StoredState.EMPTY;
    }

    @Override
    public void saveIdentity(StoreIdentity identity) {
      writes.add("identity g" + identity.generation());
    }

    @Override
    public void savePromised(Ballot promised) {
      writes.add("promised " + promised);
    }

    @Override
    public void saveAccepted(Proposal accepted) {
      writes.add("accepted " + accepted.slot() + "@" + accepted.ballot());
    }

    @Override
    public void saveChosen(SlotBlock chosen) {
      writes.add("chosen " + chosen.slot());
    }

    @Override
    public void appendLocal(Entry entry) {
      writes.add("append " + entry.id());
    }

    @Override
    public void removeLocal(Collection<EntryId> ids) {
      writes.add("remove " + ids);
    }

    @Override
    public void sync() {
      writes.add("sync");
    }

    @Override
    public void close() {}
  }

  @Test
  void writeToHandsOverEveryWriteInTheOrderOfR15WithoutSyncing() {
    Entry own = new Entry(2, 1, new byte[] {2});
    Ready r =
        with(StoreIdentity.founding("c", 1), new Ballot(3, 1), new Proposal(2, new Ballot(3, 1),
            BLOCK), List.of(own), List.of(new SlotBlock(1, BLOCK)), List.of(ENTRY.id()));
    RecordingStore store = new RecordingStore();
    r.writeTo(store);
    assertThat(store.writes)
        .containsExactly(
            "identity g1", "append 2:1", "chosen 1", "remove [1:1]", "promised 3.1",
            "accepted 2@3.1");
  }

  @Test
  void writeToOfTheEmptyBatchWritesNothing() {
    RecordingStore store = new RecordingStore();
    Ready.EMPTY.writeTo(store);
    assertThat(store.writes).isEmpty();
  }

  @Test
  void theEmptyBatchNeedsNothing() {
    assertThat(Ready.EMPTY.needsPersist()).isFalse();
    assertThat(Ready.EMPTY.needsSync()).isFalse();
    assertThat(Ready.EMPTY.isEmpty()).isTrue();
  }

  @Test
  void everyDurableWriteAloneNeedsASync() {
    List<Ready> each =
        List.of(
            with(StoreIdentity.founding("c", 1), null, null, List.of(), List.of(), List.of()),
            with(null, new Ballot(1, 1), null, List.of(), List.of(), List.of()),
            with(null, null, new Proposal(1, new Ballot(1, 1), BLOCK), List.of(), List.of(),
                List.of()),
            with(null, null, null, List.of(ENTRY), List.of(), List.of()));
    for (Ready r : each) {
      assertThat(r.needsSync()).as("%s", r).isTrue();
      assertThat(r.needsPersist()).isTrue();
      assertThat(r.isEmpty()).isFalse();
    }
  }

  @Test
  void chosenBlocksAloneArePersistedWithoutASyncUnlessFlushed() {
    Ready r = with(null, null, null, List.of(), List.of(new SlotBlock(1, BLOCK)), List.of());
    assertThat(r.needsSync()).isFalse(); // chosen: a majority's votes are durable (R15)
    assertThat(r.needsPersist()).isTrue();
    Ready flush = new Ready(null, null, List.of(), List.of(), List.of(), List.of(), List.of(),
        List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), true);
    assertThat(flush.needsSync()).isTrue();
    assertThat(flush.isEmpty()).isFalse();
  }

  @Test
  void aChosenBlockDecidedByThisBatchsOwnVoteAndEveryLaterOneWaitForTheSync() {
    List<SlotBlock> chosen = List.of(new SlotBlock(1, BLOCK), new SlotBlock(2, BLOCK),
        new SlotBlock(3, BLOCK));
    assertThat(with(null, null, null, List.of(), chosen, List.of()).chosenBeforeSync())
        .isEqualTo(3);
    assertThat(with(null, null, new Proposal(2, new Ballot(1, 1), BLOCK), List.of(), chosen,
        List.of()).chosenBeforeSync()).as("slot 2 rests on the unsynced vote").isEqualTo(1);
    assertThat(with(null, null, new Proposal(4, new Ballot(1, 1), BLOCK), List.of(), chosen,
        List.of()).chosenBeforeSync()).isEqualTo(3);
  }

  @Test
  void removalsAloneArePersistedWithoutASync() {
    Ready r = with(null, null, null, List.of(), List.of(), List.of(ENTRY.id()));
    assertThat(r.needsSync()).isFalse();
    assertThat(r.needsPersist()).isTrue();
    assertThat(r.isEmpty()).isFalse();
  }

  @Test
  void aBatchWithOnlyMessagesEventsOrTicketsIsNotEmptyButNeedsNoPersist() {
    List<Ready> each =
        List.of(
            new Ready(null, null, List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(new Message.CatchUpRequest(1, 2, 1)), List.of(), List.of(), List.of(),
                List.of(), List.of(), false),
            new Ready(null, null, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(new RoundEvent(RoundEvent.Kind.LOST, new Ballot(1, 1), 1)), List.of(),
                List.of(), List.of(), List.of(), false),
            new Ready(null, null, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(1L), List.of(), List.of(), List.of(), false),
            new Ready(null, null, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(), List.of(1L), List.of(), List.of(), false),
            new Ready(null, null, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(), List.of(), List.of(3L), List.of(), false),
            new Ready(null, null, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(), List.of(), List.of(), List.of(4L), false));
    for (Ready r : each) {
      assertThat(r.isEmpty()).as("%s", r).isFalse();
      assertThat(r.needsPersist()).isFalse();
    }
  }
}
