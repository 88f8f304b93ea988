package dev.modpaxos.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modpaxos.local.InMemoryStore;
import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.EntryId;
import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.protocol.Ready;
import dev.modpaxos.protocol.RoundEvent;
import dev.modpaxos.protocol.SlotBlock;
import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.StoreIdentity;
import dev.modpaxos.spi.StoredState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadyExecutorTest {
  private final List<String> steps = new ArrayList<>();
  private final InMemoryStore memory = new InMemoryStore();
  private final Store store = new StepStore(memory, steps);

  private static Entry entry(int origin, long seq) {
    return new Entry(origin, seq, new byte[] {(byte) seq});
  }

  private static Ready ready(
      Proposal accepted, List<Entry> appended, List<SlotBlock> chosen, List<EntryId> removed,
      List<Message> messages) {
    return new Ready(
        null, null, accepted == null ? List.of() : List.of(accepted), appended, chosen, removed,
        List.of(), messages,
        List.of(new RoundEvent(RoundEvent.Kind.COMMITTED, new Ballot(1, 1), 1)), List.of(7L),
        List.of(8L), List.of(), List.of(), false);
  }

  private ReadyExecutor executor(ReadyExecutor.Hook hook) {
    return new ReadyExecutor(
        store,
        m -> steps.add("send " + m.type()),
        (slot, block) -> steps.add("apply " + slot + " " + block.ids()),
        new ReadyExecutor.Listener() {
          @Override
          public void carriedOut(Ready r) {
            steps.add("carriedOut");
          }

          @Override
          public void durable(Entry e) {
            steps.add("durable " + e.id());
          }

          @Override
          public void chosen(SlotBlock sb) {
            steps.add("chosen " + sb.slot() + " " + sb.block().ids());
          }

          @Override
          public void roundEvent(RoundEvent ev) {
            steps.add("event " + ev.kind());
          }

          @Override
          public void roundDone(long t) {
            steps.add("done " + t);
          }

          @Override
          public void roundFailed(long t) {
            steps.add("failed " + t);
          }
        },
        hook);
  }

  private static List<Message> twoMessages() {
    return List.of(
        new Message.CatchUpRequest(1, 2, 1), new Message.CatchUpRequest(1, 3, 1));
  }

  @Test
  void carriesOutAReadyInTheOrderOfR15AndHidesControlEntriesFromTheApplication() {
    Block withControl = new Block(List.of(entry(1, 1), new Entry(EntryId.CONTROL, 99, new byte[0])));
    Ready r =
        ready(
            new Proposal(2, new Ballot(1, 1), new Block(List.of(entry(1, 2)))),
            List.of(entry(1, 2)),
            List.of(new SlotBlock(1, withControl)),
            List.of(),
            twoMessages());

    assertThat(executor(ReadyExecutor.Hook.NONE).execute(r)).isTrue();

    assertThat(steps)
        .containsExactly(
            "write appendLocal", "write saveChosen", "write saveAccepted", "carriedOut",
            "apply 1 [1:1]", "chosen 1 [1:1, ctl:63]", "sync", "send CATCHUP_REQUEST",
            "send CATCHUP_REQUEST", "durable 1:2", "event COMMITTED", "done 7", "failed 8");
  }

  @Test
  void aBatchOfChosenBlocksAppliesAndCompletesThemWithoutASync() {
    Ready r =
        ready(null, List.of(), List.of(new SlotBlock(1, new Block(List.of(entry(2, 1))))),
            List.of(), List.of());

    assertThat(executor(ReadyExecutor.Hook.NONE).execute(r)).isTrue();

    assertThat(steps).containsExactly("write saveChosen", "carriedOut", "apply 1 [2:1]",
        "chosen 1 [2:1]", "event COMMITTED", "done 7", "failed 8");
    assertThat(memory.unsyncedWrites()).isEqualTo(1); // durable with a later batch's sync (R15)
  }

  @Test
  void removalsAloneAreWrittenButNotSynced() {
    Ready r = ready(null, List.of(), List.of(), List.of(new EntryId(1, 1)), List.of());

    executor(ReadyExecutor.Hook.NONE).execute(r);

    assertThat(steps).contains("write removeLocal").doesNotContain("sync");
    assertThat(memory.unsyncedWrites()).isEqualTo(1);
  }

  @Test
  void anEmptyReadyTouchesNothing() {
    assertThat(executor(ReadyExecutor.Hook.NONE).execute(Ready.EMPTY)).isTrue();
    assertThat(steps).isEmpty();
  }

  @Test
  void aHookStoppingBeforeTheSyncLeavesTheWritesUnsyncedAndSendsNothing() {
    Ready r = ready(null, List.of(entry(1, 1)), List.of(), List.of(), twoMessages());
    ReadyExecutor.Hook crashBeforeSync =
        new ReadyExecutor.Hook() {
          @Override
          public boolean beforeSync(Ready ready) {
            return false;
          }
        };

    assertThat(executor(crashBeforeSync).execute(r)).isFalse();

    assertThat(steps).containsExactly("write appendLocal", "carriedOut");
    assertThat(memory.unsyncedWrites()).isEqualTo(1);
  }

  @Test
  void aHookStoppingMidSendSendsOnlyThatManyAndCompletesNoDurableEntry() {
    Ready r =
        ready(null, List.of(entry(1, 1)), List.of(new SlotBlock(1, new Block(List.of(entry(2, 1))))),
            List.of(), twoMessages());
    ReadyExecutor.Hook oneMessage =
        new ReadyExecutor.Hook() {
          @Override
          public int messagesToSend(Ready ready) {
            return 1;
          }
        };

    assertThat(executor(oneMessage).execute(r)).isFalse();

    assertThat(steps).containsExactly("write appendLocal", "write saveChosen", "carriedOut",
        "apply 1 [2:1]", "chosen 1 [2:1]", "sync", "send CATCHUP_REQUEST");
  }

  @Test
  void aHookStoppingBeforeApplyHasSentOnlyTheEarlyMessagesAndSyncedNothing() {
    Ready r =
        new Ready(null, null, List.of(), List.of(entry(1, 1)),
            List.of(new SlotBlock(1, new Block(List.of(entry(2, 1))))), List.of(),
            List.of(new Message.CatchUpRequest(1, 4, 1)), twoMessages(), List.of(), List.of(),
            List.of(), List.of(), List.of(), false);
    List<SlotBlock> applied = new ArrayList<>();
    ReadyExecutor.Hook stopBeforeApply =
        new ReadyExecutor.Hook() {
          @Override
          public boolean beforeApply(Ready ready) {
            return false;
          }

          @Override
          public void applied(SlotBlock chosen) {
            applied.add(chosen);
          }
        };

    assertThat(executor(stopBeforeApply).execute(r)).isFalse();

    assertThat(steps).containsExactly("write appendLocal", "write saveChosen",
        "send CATCHUP_REQUEST");
    assertThat(applied).isEmpty();
    assertThat(memory.unsyncedWrites()).isEqualTo(2);
  }

  @Test
  void aHookStoppingBeforeCompleteHasSentEverythingAndCompletesNoDurableEntry() {
    Ready r = ready(null, List.of(entry(1, 1)), List.of(), List.of(), twoMessages());
    ReadyExecutor.Hook stop =
        new ReadyExecutor.Hook() {
          @Override
          public boolean beforeComplete(Ready ready) {
            return false;
          }
        };

    assertThat(executor(stop).execute(r)).isFalse();

    assertThat(steps).endsWith("sync", "send CATCHUP_REQUEST", "send CATCHUP_REQUEST");
    assertThat(steps).noneMatch(s -> s.startsWith("durable") || s.startsWith("done"));
  }

  @Test
  void theHookSeesEachAppliedBlockWithItsControlEntries() {
    Block withControl = new Block(List.of(new Entry(EntryId.CONTROL, 5, new byte[0])));
    List<SlotBlock> applied = new ArrayList<>();
    ReadyExecutor.Hook watch =
        new ReadyExecutor.Hook() {
          @Override
          public void applied(SlotBlock chosen) {
            applied.add(chosen);
          }
        };

    executor(watch).apply(new SlotBlock(3, withControl));

    assertThat(steps).containsExactly("apply 3 []");
    assertThat(applied).containsExactly(new SlotBlock(3, withControl));
  }

  @Test
  void anApplicationFailureNamesTheSlotAndStopsTheReadyBeforeLaterBlocks() {
    ReadyExecutor failing =
        new ReadyExecutor(
            store,
            m -> {},
            (slot, block) -> {
              steps.add("apply " + slot);
              if (slot == 2) {
                throw new IllegalStateException("bad transfer");
              }
            },
            ReadyExecutor.Listener.NONE,
            ReadyExecutor.Hook.NONE);
    List<SlotBlock> chosen = new ArrayList<>();
    for (long s = 1; s <= 3; s++) {
      chosen.add(new SlotBlock(s, new Block(List.of(entry(1, s)))));
    }

    assertThatThrownBy(() -> failing.execute(ready(null, List.of(), chosen, List.of(), List.of())))
        .isInstanceOf(NodeStoppedException.class)
        .hasMessageContaining("slot 2")
        .hasMessageContaining("bad transfer");
    assertThat(steps).endsWith("apply 1", "apply 2");
  }

  /** Records each store call as a step, then passes it on. */
  private record StepStore(Store inner, List<String> steps) implements Store {
    @Override
    public StoredState load() {
      return inner.load();
    }

    @Override
    public void saveIdentity(StoreIdentity identity) {
      steps.add("write saveIdentity");
      inner.saveIdentity(identity);
    }

    @Override
    public void savePromised(Ballot promised) {
      steps.add("write savePromised");
      inner.savePromised(promised);
    }

    @Override
    public void saveAccepted(Proposal accepted) {
      steps.add("write saveAccepted");
      inner.saveAccepted(accepted);
    }

    @Override
    public void saveChosen(SlotBlock chosen) {
      steps.add("write saveChosen");
      inner.saveChosen(chosen);
    }

    @Override
    public void appendLocal(Entry entry) {
      steps.add("write appendLocal");
      inner.appendLocal(entry);
    }

    @Override
    public void removeLocal(Collection<EntryId> ids) {
      steps.add("write removeLocal");
      inner.removeLocal(ids);
    }

    @Override
    public void sync() {
      steps.add("sync");
      inner.sync();
    }

    @Override
    public void close() {
      steps.add("close");
      inner.close();
    }
  }
}
