package dev.modpaxos.storage.chronicle;

import static dev.modpaxos.spi.SnapshotChecks.assertSnapshot;
import static dev.modpaxos.spi.SnapshotChecks.commitSnapshot;
import static dev.modpaxos.spi.SnapshotChecks.snapshotBytes;
import static dev.modpaxos.spi.StoreContract.block;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.protocol.SlotBlock;
import dev.modpaxos.spi.SnapshotSink;
import dev.modpaxos.spi.StateLoss;
import dev.modpaxos.spi.StoredState;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ChronicleStore's snapshot files and compaction beyond the contract (R20, docs/STORAGE.md). */
class ChronicleSnapshotTest {
  private static final ChronicleStoreConfig SMALL =
      ChronicleStoreConfig.builder()
          .chosenBlocksPerFile(8)
          .averageBlockBytes(256)
          .localLogEntries(256)
          .averageEntryBytes(64)
          .build();

  @TempDir Path dir;
  private final List<ChronicleStore> opened = new ArrayList<>();

  private ChronicleStore open() {
    ChronicleStore s = ChronicleStore.open(dir, SMALL);
    opened.add(s);
    return s;
  }

  @AfterEach
  void closeAll() {
    opened.forEach(ChronicleStore::close);
  }

  private List<String> names(Path in, String prefix) throws IOException {
    try (Stream<Path> files = Files.list(in)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix))
          .sorted().toList();
    }
  }

  private static String chosen(long first) {
    return String.format("chosen-%019d.cm", first);
  }

  private static String snapshot(long slot, String suffix) {
    return String.format("snapshot-%019d%s", slot, suffix);
  }

  private ChronicleStore withBlocks(long last) {
    ChronicleStore s = open();
    s.load();
    for (long slot = 1; slot <= last; slot++) {
      s.saveChosen(new SlotBlock(slot, block(slot, 1)));
    }
    s.sync();
    return s;
  }

  @Test
  void compactionDeletesWholeFilesAtOrBelowItsSlotAndOpenDoesNotReadThem() throws IOException {
    ChronicleStore s = withBlocks(50);
    assertThat(names(dir, "chosen-")).hasSize(7);
    commitSnapshot(s, 30, snapshotBytes(30, 100));
    s.compactThrough(30);
    // Files of slots 1-8, 9-16, 17-24 go; 25-32 straddles slot 30 and stays.
    assertThat(names(dir, "chosen-")).containsExactly(chosen(25), chosen(33), chosen(41), chosen(49));
    s.close();
    // A file below the compaction point that a crash left behind is neither read nor kept.
    Files.write(dir.resolve(chosen(9)), new byte[] {1, 2, 3});
    s = open();
    StoredState state = s.load();
    assertThat(state.compactedSlot()).isEqualTo(30);
    assertThat(state.chosen()).hasSize(20).first().isEqualTo(block(31, 1));
    assertThat(state.losses()).isEmpty();
    assertThat(names(dir, "chosen-")).doesNotContain(chosen(9));
    assertThat(Files.readString(dir.resolve(ChronicleStore.COMPACTED_FILE))).contains("slot=30");
  }

  @Test
  void anInstallAboveEveryBlockDeletesTheCurrentFileAndStartsOneAfterTheSnapshot()
      throws IOException {
    ChronicleStore s = withBlocks(5);
    commitSnapshot(s, 100, snapshotBytes(100, 10));
    s.compactThrough(100);
    assertThat(names(dir, "chosen-")).isEmpty();
    s.saveChosen(new SlotBlock(101, block(101, 1)));
    s.sync();
    assertThat(names(dir, "chosen-")).containsExactly(chosen(101));
    s.close();
    StoredState state = open().load();
    assertThat(state.compactedSlot()).isEqualTo(100);
    assertThat(state.chosen()).containsExactly(block(101, 1));
  }

  @Test
  void aCommittedSnapshotIsOneFileWithAHeaderAndOnlyTheTwoNewestAreKept() throws IOException {
    ChronicleStore s = withBlocks(20);
    Path snapshots = dir.resolve(SnapshotFiles.DIR);
    SnapshotSink sink = s.openSnapshot(5);
    byte[] big = snapshotBytes(5, 70_000);
    sink.stream().write(big); // more than the sink's buffer, in one write
    assertThat(names(snapshots, "snapshot-")).containsExactly(snapshot(5, ".part"));
    assertSnapshot(sink.commit(), 5, big);
    assertThat(names(snapshots, "snapshot-")).containsExactly(snapshot(5, ".snap"));
    assertThat(Files.size(snapshots.resolve(snapshot(5, ".snap"))))
        .isEqualTo(SnapshotFiles.HEADER_BYTES + 70_000);
    commitSnapshot(s, 10, snapshotBytes(10, 10));
    commitSnapshot(s, 15, snapshotBytes(15, 10));
    assertThat(names(snapshots, "snapshot-"))
        .containsExactly(snapshot(10, ".snap"), snapshot(15, ".snap"));
  }

  /** Flips one byte of the body of the committed snapshot of {@code slot}. */
  private void damage(long slot) throws IOException {
    Path f = dir.resolve(SnapshotFiles.DIR).resolve(snapshot(slot, ".snap"));
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.seek(SnapshotFiles.HEADER_BYTES + 3);
      int b = raf.read();
      raf.seek(SnapshotFiles.HEADER_BYTES + 3);
      raf.write(b ^ 0xff);
    }
  }

  @Test
  void aDamagedNewestSnapshotFallsBackToTheOlderOneAndIsNoLossWhileBlocksCoverIt()
      throws IOException {
    ChronicleStore s = withBlocks(20);
    byte[] older = snapshotBytes(8, 500);
    commitSnapshot(s, 8, older);
    commitSnapshot(s, 15, snapshotBytes(15, 500));
    s.compactThrough(8);
    s.close();
    damage(15);
    StoredState state = open().load();
    assertSnapshot(state.snapshot(), 8, older);
    assertThat(state.compactedSlot()).isEqualTo(8);
    assertThat(state.chosen()).hasSize(12);
    assertThat(state.losses()).isEmpty();
    assertThat(names(dir.resolve(SnapshotFiles.DIR), "snapshot-"))
        .containsExactly(snapshot(8, ".snap"));
  }

  @Test
  void aDamagedSnapshotThatTheCompactedBlocksNeededIsALoss() throws IOException {
    ChronicleStore s = withBlocks(20);
    commitSnapshot(s, 8, snapshotBytes(8, 500));
    commitSnapshot(s, 15, snapshotBytes(15, 500));
    s.compactThrough(15);
    s.close();
    damage(15);
    StoredState state = open().load();
    assertThat(state.losses()).contains(StateLoss.CHOSEN_BLOCKS);
    assertThat(state.snapshot().slot()).isEqualTo(8);
    assertThat(state.compactedSlot()).isEqualTo(8);
  }

  @Test
  void aPartialFileTornInItsHeaderStartsAgainEmpty() throws IOException {
    ChronicleStore s = withBlocks(2);
    s.close();
    Path part = dir.resolve(SnapshotFiles.DIR).resolve(snapshot(7, ".part"));
    Files.write(part, new byte[] {'M', 'P'});
    s = open();
    s.load();
    SnapshotSink sink = s.openSnapshot(7);
    assertThat(sink.sizeBytes()).isZero();
    byte[] bytes = snapshotBytes(7, 1000);
    sink.stream().write(bytes);
    assertSnapshot(sink.commit(), 7, bytes);
  }

  @Test
  void aSinkIsWrittenFromAnotherThreadWhileTheStoreTakesBlocks() throws Exception {
    ChronicleStore s = withBlocks(1);
    byte[] bytes = snapshotBytes(1, 300_000);
    Thread writer = new Thread(() -> commitSnapshot(s, 1, bytes));
    writer.start();
    for (long slot = 2; slot <= 200; slot++) {
      s.saveChosen(new SlotBlock(slot, block(slot, 1)));
      s.sync();
    }
    writer.join(60_000);
    assertThat(writer.isAlive()).isFalse();
    s.compactThrough(1);
    s.close();
    StoredState state = open().load();
    assertSnapshot(state.snapshot(), 1, bytes);
    assertThat(state.chosen()).hasSize(199);
  }
}
