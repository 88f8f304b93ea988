package dev.modpaxos.storage.chronicle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.EntryId;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.protocol.SlotBlock;
import dev.modpaxos.spi.IdFloor;
import dev.modpaxos.spi.StoreIdentity;
import dev.modpaxos.spi.StoredState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * POWER mode's journal (docs/STORAGE.md, "The journal"): one fdatasync per sync, and after a power
 * cut that lost every map page written since the last checkpoint, the replay restores every write
 * a sync acknowledged. The power cut is simulated by putting back copies of the map files taken at
 * the checkpoint (the open), which is what the disk holds if the kernel wrote back none of their
 * pages since.
 */
class ChronicleJournalTest {
  @TempDir Path base;

  private Path dir() {
    return base.resolve("store");
  }

  private static Entry entry(long seq) {
    return new Entry(1, seq, new byte[] {(byte) seq, 7});
  }

  @Test
  void journalRecordsReplayInOrderUpToATornOrForeignRecord() throws IOException {
    Files.createDirectories(dir());
    try (Journal j = Journal.openForWriting(dir(), 256 << 10)) {
      j.record("local.cm", 1, new byte[] {1});
      j.record("local.cm", 1, null);
      j.record("acceptor.cm", 5, new byte[] {5, 5});
      j.sync(() -> {
        throw new AssertionError("no checkpoint: the records fit");
      });
      j.record("local.cm", 9, new byte[] {9}); // never synced: not in the file
    }
    List<Journal.Op> ops = Journal.replay(dir());
    assertThat(ops).extracting(Journal.Op::name, Journal.Op::key)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("local.cm", 1L),
            org.assertj.core.groups.Tuple.tuple("local.cm", 1L),
            org.assertj.core.groups.Tuple.tuple("acceptor.cm", 5L));
    assertThat(ops.get(1).value()).as("a remove").isNull();
    assertThat(ops.get(2).value()).containsExactly(5, 5);

    // A torn second record: the replay keeps the first and stops.
    try (FileChannel c = FileChannel.open(dir().resolve(Journal.FILE), StandardOpenOption.WRITE)) {
      // The first record: 8 bytes of length and CRC, then 32 of body ("local.cm", 1 value byte).
      long second = Journal.HEADER_BYTES + 8 + 32;
      c.write(ByteBuffer.wrap(new byte[] {0x55, 0x55}), second + 8 + 2);
    }
    assertThat(Journal.replay(dir())).hasSize(1);

    // A new epoch: the records of the old one are dead.
    try (Journal j = Journal.openForWriting(dir(), 256 << 10)) {
      assertThat(Journal.replay(dir())).isEmpty();
    }
  }

  @Test
  void aFullJournalCheckpointsInsteadOfWriting() throws IOException {
    Files.createDirectories(dir());
    int[] checkpoints = {0};
    try (Journal j = Journal.openForWriting(dir(), 256 << 10)) {
      long epoch = j.epoch();
      j.record("local.cm", 1, new byte[300 << 10]);
      j.sync(() -> checkpoints[0]++);
      assertThat(checkpoints[0]).isEqualTo(1);
      assertThat(j.epoch()).isEqualTo(epoch + 1);
      assertThat(j.hasPending()).isFalse();
    }
    assertThat(Journal.replay(dir())).isEmpty();
  }

  @Test
  void aPowerCutThatLostEveryMapPageSinceTheCheckpointLosesNoSyncedWrite() throws IOException {
    ChronicleStore store = ChronicleStore.open(dir());
    store.load();
    Path atCheckpoint = copyMapFiles(base.resolve("checkpoint"));
    StoreIdentity id = StoreIdentity.founding("c", 1);
    store.saveIdentity(id);
    store.savePromised(new Ballot(3, 1));
    for (long seq = 1; seq <= 5; seq++) {
      store.appendLocal(entry(seq));
    }
    store.saveAccepted(new Proposal(2, new Ballot(3, 1), new Block(List.of(entry(4)))));
    store.saveChosen(new SlotBlock(1, new Block(List.of(entry(1), entry(2)))));
    store.removeLocal(List.of(entry(1).id(), entry(2).id()));
    store.saveIdFloor(new IdFloor(3, 4100));
    store.sync();
    store.appendLocal(entry(6)); // not synced: may be lost
    store.simulateCrash();
    putBack(atCheckpoint);
    ChronicleStoreTest.rebootHost(dir(), Durability.POWER);

    try (ChronicleStore again = ChronicleStore.open(dir())) {
      StoredState s = again.load();
      assertThat(s.identity()).isEqualTo(id);
      assertThat(s.promised()).isEqualTo(new Ballot(3, 1));
      assertThat(s.accepted()).extracting(Proposal::slot).containsExactly(2L);
      assertThat(s.chosen()).containsExactly(new Block(List.of(entry(1), entry(2))));
      assertThat(s.localLog()).extracting(Entry::id)
          .containsExactly(entry(3).id(), entry(4).id(), entry(5).id());
      assertThat(s.idFloor()).isEqualTo(new IdFloor(3, 4100));
      assertThat(s.losses()).isEmpty();
    }
  }

  @Test
  void theNewestSyncedIdFloorSurvivesACrashAndACleanStopsClearedOneAReopen() throws IOException {
    ChronicleStore store = ChronicleStore.open(dir());
    assertThat(store.keepsIdFloor()).isTrue();
    assertThat(store.load().idFloor()).as("a new store").isEqualTo(IdFloor.NONE);
    store.saveIdentity(StoreIdentity.founding("c", 1));
    store.saveIdFloor(new IdFloor(1, 4097));
    store.sync();
    store.saveIdFloor(new IdFloor(2049, 6145)); // the other copy's key
    store.sync();
    store.simulateCrash();
    ChronicleStoreTest.rebootHost(dir(), Durability.POWER);
    try (ChronicleStore again = ChronicleStore.open(dir())) {
      StoredState s = again.load();
      assertThat(s.idFloor()).isEqualTo(new IdFloor(2049, 6145));
      assertThat(s.losses()).isEmpty();
      again.saveIdFloor(IdFloor.NONE);
    }
    try (ChronicleStore again = ChronicleStore.open(dir())) {
      assertThat(again.load().idFloor()).isEqualTo(IdFloor.NONE);
    }
  }

  /** Without the replay the same power cut loses acknowledged writes: the test above can fail. */
  @Test
  void withoutTheJournalTheSamePowerCutLosesSyncedWrites() throws IOException {
    ChronicleStore store = ChronicleStore.open(dir());
    store.load();
    Path atCheckpoint = copyMapFiles(base.resolve("checkpoint"));
    store.saveIdentity(StoreIdentity.founding("c", 1));
    store.appendLocal(entry(1));
    store.sync();
    store.simulateCrash();
    putBack(atCheckpoint);
    Files.delete(dir().resolve(Journal.FILE));
    ChronicleStoreTest.rebootHost(dir(), Durability.POWER);

    try (ChronicleStore again = ChronicleStore.open(dir())) {
      StoredState s = again.load();
      assertThat(s.identity()).isNull();
      assertThat(s.localLog()).isEmpty();
    }
  }

  @Test
  void aProcessModeOpenDeletesTheJournalSoThatNoLaterOpenReplaysIt() throws IOException {
    try (ChronicleStore store = ChronicleStore.open(dir())) {
      store.load();
      store.appendLocal(entry(1));
      store.sync();
    }
    assertThat(dir().resolve(Journal.FILE)).exists();
    ChronicleStoreConfig process =
        ChronicleStoreConfig.builder().durability(Durability.PROCESS).build();
    ChronicleStore p = ChronicleStore.open(dir(), process);
    assertThat(p.load().localLog()).extracting(Entry::id).containsExactly(entry(1).id());
    assertThat(dir().resolve(Journal.FILE)).doesNotExist();
    p.removeLocal(List.of(new EntryId(1, 1)));
    p.simulateCrash();
    try (ChronicleStore again = ChronicleStore.open(dir(), process)) {
      assertThat(again.load().localLog()).as("no stale record put entry 1 back").isEmpty();
    }
  }

  private Path copyMapFiles(Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(dir())) {
      for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".cm")).toList()) {
        Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return to;
  }

  private void putBack(Path copies) throws IOException {
    List<Path> back = new ArrayList<>();
    try (Stream<Path> files = Files.list(copies)) {
      back.addAll(files.toList());
    }
    assertThat(back).isNotEmpty();
    for (Path f : back) {
      Files.copy(f, dir().resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
