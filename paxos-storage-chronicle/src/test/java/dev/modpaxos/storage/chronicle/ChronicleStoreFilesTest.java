package dev.modpaxos.storage.chronicle;

import static dev.modpaxos.spi.StoreContract.block;
import static dev.modpaxos.spi.StoreContract.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.protocol.SlotBlock;
import dev.modpaxos.spi.StoreException;
import dev.modpaxos.spi.StoredState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ChronicleStore beyond the contract: files, roll-over, locking, corruption and recovery. */
class ChronicleStoreFilesTest {
  private static final byte[] MARKER =
      "<<corrupt-me-please-0123456789>>".getBytes(StandardCharsets.US_ASCII);

  @TempDir Path dir;
  private final List<ChronicleStore> opened = new ArrayList<>();

  private static final ChronicleStoreConfig SMALL =
      ChronicleStoreConfig.builder()
          .chosenBlocksPerFile(16)
          .averageBlockBytes(256)
          .localLogEntries(256)
          .averageEntryBytes(64)
          .build();

  private ChronicleStore open(ChronicleStoreConfig config) {
    ChronicleStore s = ChronicleStore.open(dir, config);
    opened.add(s);
    return s;
  }

  @AfterEach
  void closeAll() {
    opened.forEach(ChronicleStore::close);
  }

  private long chosenFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().startsWith("chosen-")).count();
    }
  }

  @Test
  void chosenBlocksRollIntoNewFilesAndReloadAcrossThem() throws IOException {
    ChronicleStore s = open(SMALL);
    s.load();
    List<Block> blocks = new ArrayList<>();
    for (long slot = 1; slot <= 100; slot++) {
      blocks.add(block(slot, 2));
      s.saveChosen(new SlotBlock(slot, blocks.get(blocks.size() - 1)));
    }
    s.close();
    assertThat(chosenFiles()).isEqualTo(7); // 100 slots, 16 per file

    s = open(SMALL);
    assertThat(s.load().chosen()).containsExactlyElementsOf(blocks);
    for (long slot = 101; slot <= 120; slot++) {
      blocks.add(block(slot, 1));
      s.saveChosen(new SlotBlock(slot, blocks.get(blocks.size() - 1)));
    }
    s.close();
    assertThat(open(SMALL).load().chosen()).containsExactlyElementsOf(blocks);
  }

  @Test
  void aFileThatFillsBeforeItsSlotCountRollsOver() throws IOException {
    // Blocks far above the configured average: Chronicle reports the file full long before 4096.
    ChronicleStoreConfig tight =
        ChronicleStoreConfig.builder().chosenBlocksPerFile(4096).averageBlockBytes(16).build();
    ChronicleStore s = open(tight);
    s.load();
    List<Block> blocks = new ArrayList<>();
    for (long slot = 1; slot <= 400; slot++) {
      blocks.add(new Block(List.of(entry(1, slot, 2000))));
      s.saveChosen(new SlotBlock(slot, blocks.get(blocks.size() - 1)));
    }
    s.close();
    assertThat(chosenFiles()).isGreaterThan(1);
    assertThat(open(tight).load().chosen()).containsExactlyElementsOf(blocks);
  }

  @Test
  void aBlockTooLargeForAnyFileIsAClearErrorAndChangesNothing() {
    ChronicleStore s = open(SMALL);
    s.load();
    s.saveChosen(new SlotBlock(1, block(1, 1)));
    Block huge = new Block(List.of(entry(1, 1, 8 << 20)));
    assertThatThrownBy(() -> s.saveChosen(new SlotBlock(2, huge)))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("slot 2");
    s.saveChosen(new SlotBlock(2, block(2, 1)));
    s.close();
    assertThat(open(SMALL).load().chosen()).containsExactly(block(1, 1), block(2, 1));
  }

  @Test
  void aSecondOpenerInTheSameJvmGetsAClearError() {
    ChronicleStore first = open(SMALL);
    assertThatThrownBy(() -> ChronicleStore.open(dir, SMALL))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("already open");
    first.close();
    open(SMALL).load();
  }

  @Test
  void loadTwiceAndUseAfterCloseAreClearErrors() {
    ChronicleStore s = open(SMALL);
    s.load();
    assertThatThrownBy(s::load).isInstanceOf(StoreException.class).hasMessageContaining("load()");
    s.close();
    assertThatThrownBy(() -> s.savePromised(new Ballot(1, 1)))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void theLayoutIsFixedWhenTheDirectoryIsCreated() throws IOException {
    ChronicleStore s = open(SMALL);
    s.load();
    for (long slot = 1; slot <= 40; slot++) {
      s.saveChosen(new SlotBlock(slot, block(slot, 1)));
    }
    s.close();
    ChronicleStoreConfig other = SMALL.toBuilder().chosenBlocksPerFile(1000).build();
    s = open(other);
    assertThat(s.load().chosen()).hasSize(40);
    for (long slot = 41; slot <= 60; slot++) {
      s.saveChosen(new SlotBlock(slot, block(slot, 1)));
    }
    s.close();
    assertThat(chosenFiles()).isEqualTo(4); // still 16 slots per file
  }

  @Test
  void aMissingCleanMarkerMeansRecoveryWithoutLosingState() throws IOException {
    ChronicleStore s = open(SMALL);
    s.load();
    s.savePromised(new Ballot(4, 2));
    s.saveChosen(new SlotBlock(1, block(1, 2)));
    s.close();
    Files.delete(dir.resolve(ChronicleStore.CLEAN_MARKER));

    s = open(SMALL);
    StoredState state = s.load();
    assertThat(s.openReport().recovered()).isTrue();
    assertThat(state.promised()).isEqualTo(new Ballot(4, 2));
    assertThat(state.chosen()).containsExactly(block(1, 2));
    assertThat(state.acceptorStateLost()).isFalse();
  }

  @Test
  void anUncleanProcessModeSessionBeforeAHostRebootLosesAcceptorState() throws IOException {
    ChronicleStoreConfig process = SMALL.toBuilder().durability(Durability.PROCESS).build();
    ChronicleStore s = open(process);
    s.load();
    s.savePromised(new Ballot(4, 2));
    s.close();
    Files.delete(dir.resolve(ChronicleStore.CLEAN_MARKER));
    Files.writeString(
        dir.resolve(Session.FILE), "bootId=some-earlier-boot\ndurability=PROCESS\n");

    s = open(process);
    assertThat(s.load().acceptorStateLost()).isTrue();
    assertThat(s.openReport().recovered()).isTrue();
  }

  @Test
  void lostAcceptorStateIsReportedUntilAPromiseIsSyncedAgain() throws IOException {
    ChronicleStoreConfig process = SMALL.toBuilder().durability(Durability.PROCESS).build();
    ChronicleStore s = open(process);
    s.load();
    s.close();
    Files.delete(dir.resolve(ChronicleStore.CLEAN_MARKER));
    Files.writeString(
        dir.resolve(Session.FILE), "bootId=some-earlier-boot\ndurability=PROCESS\n");
    s = open(process);
    assertThat(s.load().acceptorStateLost()).isTrue();
    s.close(); // the node abstained and stopped again without voting

    s = open(process);
    assertThat(s.load().acceptorStateLost()).as("still lost: nothing was promised").isTrue();
    s.savePromised(new Ballot(9, 1));
    s.close(); // close syncs
    s = open(process);
    assertThat(s.load().acceptorStateLost()).isFalse();
    s.close();
  }

  @Test
  void aCorruptAcceptedValueIsDetectedAndReportedAsLostAcceptorState() throws IOException {
    ChronicleStore s = open(SMALL);
    s.load();
    s.savePromised(new Ballot(3, 1));
    s.saveAccepted(new Proposal(1, new Ballot(3, 1), new Block(List.of(markedEntry(1)))));
    s.close();
    flipMarkerByte(dir.resolve(ChronicleStore.ACCEPTOR_FILE));

    StoredState state = open(SMALL).load();
    assertThat(state.acceptorStateLost()).isTrue();
    assertThat(state.accepted()).isNull();
    assertThat(state.promised()).isEqualTo(new Ballot(3, 1));
  }

  @Test
  void aCorruptChosenBlockTruncatesHistoryThereAndTheStoreGoesOn() throws IOException {
    ChronicleStore s = open(SMALL);
    s.load();
    for (long slot = 1; slot <= 40; slot++) {
      Block b = slot == 20 ? new Block(List.of(markedEntry(slot))) : block(slot, 1);
      s.saveChosen(new SlotBlock(slot, b));
    }
    s.close();
    flipMarkerByte(dir.resolve(String.format("chosen-%019d.cm", 17)));

    s = open(SMALL);
    StoredState state = s.load();
    assertThat(state.chosen()).hasSize(19);
    assertThat(state.acceptorStateLost()).isTrue();
    assertThat(s.openReport().chosenSlotsDropped()).isEqualTo(21);
    for (long slot = 20; slot <= 45; slot++) {
      s.saveChosen(new SlotBlock(slot, block(slot, 1)));
    }
    s.close();
    assertThat(open(SMALL).load().chosen()).hasSize(45).last().isEqualTo(block(45, 1));
  }

  @Test
  void aCorruptLocalEntryIsDroppedAndTheOthersKept() throws IOException {
    ChronicleStore s = open(SMALL);
    s.load();
    s.appendLocal(entry(1, 1, 8));
    s.appendLocal(markedEntry(2));
    s.appendLocal(entry(1, 3, 8));
    s.close();
    flipMarkerByte(dir.resolve(ChronicleStore.LOCAL_FILE));

    s = open(SMALL);
    assertThat(s.load().localLog()).containsExactly(entry(1, 1, 8), entry(1, 3, 8));
    assertThat(s.openReport().localEntriesLost()).isEqualTo(1);
  }

  @Test
  void recoveryReportsThatOnlyRepairBookkeepingAreToldApartFromEntryLoss() {
    assertThat(MapFile.isBookkeeping("lock of segment 0 is not clear: [write locked = true]")).isTrue();
    assertThat(MapFile.isBookkeeping("Wrong number of entries counter for tier with index 5")).isTrue();
    assertThat(MapFile.isBookkeeping("Checksum doesn't match, stored: 1, should be: 2")).isFalse();
    assertThat(MapFile.isBookkeeping("Wrong value size: 9, key: 3")).isFalse();
    assertThat(MapFile.isBookkeeping(null)).isFalse();
  }

  private static Entry markedEntry(long seq) {
    return new Entry(1, seq, MARKER);
  }

  /** Flips one byte inside the only copy of {@link #MARKER} in {@code file}. */
  private static void flipMarkerByte(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    int at = -1;
    for (int i = 0; i + MARKER.length <= bytes.length; i++) {
      if (bytes[i] == MARKER[0]
          && Arrays.equals(bytes, i, i + MARKER.length, MARKER, 0, MARKER.length)) {
        assertThat(at).as("marker found once in " + file).isEqualTo(-1);
        at = i;
      }
    }
    assertThat(at).as("marker in " + file).isNotNegative();
    bytes[at + MARKER.length / 2] ^= 0x5a;
    Files.write(file, bytes);
  }
}
