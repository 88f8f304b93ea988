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
import dev.modpaxos.spi.IdFloor;
import dev.modpaxos.spi.StateLoss;
import dev.modpaxos.spi.StoreException;
import dev.modpaxos.spi.StoreIdentity;
import dev.modpaxos.spi.StoredState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ChronicleStore beyond the contract: files, roll-over, locking, corruption and recovery. */
class ChronicleStoreFilesTest {
  private static final byte[] MARKER =
      "<<corrupt-me-please-0123456789>>".getBytes(StandardCharsets.US_ASCII);
  private static final StoreIdentity IDENTITY = new StoreIdentity("files-test", 2, 3, 99);

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
    s.saveIdentity(IDENTITY);
    s.savePromised(new Ballot(4, 2, 3));
    s.saveChosen(new SlotBlock(1, block(1, 2)));
    s.close();
    Files.delete(dir.resolve(ChronicleStore.CLEAN_MARKER));

    s = open(SMALL);
    StoredState state = s.load();
    assertThat(s.openReport().recovered()).isTrue();
    assertThat(state.identity()).isEqualTo(IDENTITY);
    assertThat(state.promised()).isEqualTo(new Ballot(4, 2, 3));
    assertThat(state.chosen()).containsExactly(block(1, 2));
    assertThat(state.losses()).isEmpty();
  }

  @Test
  void anUncleanProcessModeSessionBeforeAHostRebootReportsUnsyncedWrites() throws IOException {
    ChronicleStoreConfig process = SMALL.toBuilder().durability(Durability.PROCESS).build();
    ChronicleStore s = open(process);
    s.load();
    s.savePromised(new Ballot(4, 2));
    s.simulateCrash();
    ChronicleStoreTest.rebootHost(dir, Durability.PROCESS);

    s = open(process);
    assertThat(s.load().losses()).containsExactly(StateLoss.UNSYNCED_WRITES);
    assertThat(s.openReport().recovered()).isTrue();
    assertThat(s.openReport().losses()).containsExactly(StateLoss.UNSYNCED_WRITES);
  }

  @Test
  void aRebootAfterAnUncleanPowerModeSessionLosesNothing() throws IOException {
    ChronicleStore s = open(SMALL);
    s.load();
    s.savePromised(new Ballot(4, 2));
    s.sync();
    s.simulateCrash();
    ChronicleStoreTest.rebootHost(dir, Durability.POWER);
    s = open(SMALL);
    assertThat(s.load().losses()).isEmpty();
  }

  @Test
  void lossesAreReportedUntilAnIdentityIsSyncedAgainAndNotUntilAPromiseIs() throws IOException {
    ChronicleStoreConfig process = SMALL.toBuilder().durability(Durability.PROCESS).build();
    ChronicleStore s = open(process);
    s.load();
    s.simulateCrash();
    ChronicleStoreTest.rebootHost(dir, Durability.PROCESS);
    s = open(process);
    assertThat(s.load().losses()).containsExactly(StateLoss.UNSYNCED_WRITES);
    s.close(); // the node stayed a learner and stopped again

    s = open(process);
    assertThat(s.load().losses()).as("still lost: no identity was saved").isNotEmpty();
    s.savePromised(new Ballot(9, 1));
    s.close();
    s = open(process);
    assertThat(s.load().losses()).as("a promise clears nothing").isNotEmpty();
    s.saveIdentity(new StoreIdentity("c", 1, StoreIdentity.PENDING, 7));
    s.simulateCrash(); // before any sync
    s = open(process);
    assertThat(s.load().losses()).as("the identity was not synced").isNotEmpty();
    s.saveIdentity(new StoreIdentity("c", 1, StoreIdentity.PENDING, 8));
    s.sync();
    assertThat(Files.exists(dir.resolve(ChronicleStore.LOSS_MARKER))).isFalse();
    s.simulateCrash();
    s = open(process);
    StoredState state = s.load();
    assertThat(state.losses()).isEmpty();
    assertThat(state.identity().nonce()).isEqualTo(8);
  }

  @Test
  void lossesFoundAtDifferentOpensAddUp() throws IOException {
    ChronicleStore s = open(SMALL);
    s.load();
    s.appendLocal(new Entry(1, 1, MARKER));
    s.close();
    flipMarkerByte(dir.resolve(ChronicleStore.LOCAL_FILE));
    s = open(SMALL);
    assertThat(s.load().losses()).containsExactly(StateLoss.LOCAL_ENTRIES);
    s.close();
    Files.delete(dir.resolve(ChronicleStore.ACCEPTOR_FILE));
    s = open(SMALL);
    assertThat(s.load().losses())
        .containsExactlyInAnyOrder(StateLoss.LOCAL_ENTRIES, StateLoss.ACCEPTOR_STATE);
  }

  // ---- votes: the ring of cells in acceptor.cm ---------------------------------------------

  private static Proposal vote(long slot, long round) {
    return new Proposal(slot, new Ballot(round, 1), block(slot, 1));
  }

  private static Proposal markedVote(long slot, long round) {
    return new Proposal(slot, new Ballot(round, 1), new Block(List.of(markedEntry(slot))));
  }

  @Test
  void aGarbledVoteCellAfterACleanCloseIsLostAcceptorStateAndTheOtherVotesRemain()
      throws IOException {
    ChronicleStore s = open(SMALL);
    s.load();
    s.saveIdentity(IDENTITY);
    s.savePromised(new Ballot(3, 1));
    for (long slot = 1; slot <= 5; slot++) {
      s.saveAccepted(slot == 3 ? markedVote(3, 2) : vote(slot, 2));
    }
    s.close();
    flipMarkerByte(dir.resolve(ChronicleStore.ACCEPTOR_FILE));

    StoredState state = open(SMALL).load();
    assertThat(state.losses()).containsExactly(StateLoss.ACCEPTOR_STATE);
    assertThat(state.accepted()).containsExactly(vote(1, 2), vote(2, 2), vote(4, 2), vote(5, 2));
    assertThat(state.promised()).isEqualTo(new Ballot(3, 1));
    assertThat(state.identity()).isEqualTo(IDENTITY);
  }

  @Test
  void afterAKillATornNewestCopyOfACellFallsBackToTheVoteBeforeItAndIsNoLoss()
      throws IOException {
    ChronicleStore s = open(SMALL);
    s.load();
    s.saveAccepted(vote(3, 1));
    s.saveAccepted(vote(4, 1));
    s.sync();
    s.saveAccepted(markedVote(3, 2)); // the write in flight, torn by the kill
    s.simulateCrash();
    flipMarkerByte(dir.resolve(ChronicleStore.ACCEPTOR_FILE));

    s = open(SMALL);
    StoredState state = s.load();
    assertThat(s.openReport().recovered()).isTrue();
    assertThat(state.accepted()).containsExactly(vote(3, 1), vote(4, 1));
    assertThat(state.losses()).isEmpty();
  }

  @Test
  void theSameDamagedNewestCopyAfterACleanCloseIsALoss() throws IOException {
    // The same files as above, but closed cleanly: nothing was in flight, so damage is a loss.
    ChronicleStore s = open(SMALL);
    s.load();
    s.saveAccepted(vote(3, 1));
    s.saveAccepted(markedVote(3, 2));
    s.close();
    flipMarkerByte(dir.resolve(ChronicleStore.ACCEPTOR_FILE));
    assertNextOpenLosesAcceptorStateKeeping(vote(3, 1));
  }

  @Test
  void afterAKillBothCopiesOfACellDamagedIsALoss() throws IOException {
    ChronicleStore s = open(SMALL);
    s.load();
    s.saveAccepted(vote(3, 1));
    s.saveAccepted(vote(3, 2));
    s.saveAccepted(vote(4, 1));
    s.sync();
    s.simulateCrash();
    long key = AcceptorFile.cellKey(AcceptorFile.cellOf(3));
    putRaw(ChronicleStore.ACCEPTOR_FILE, key, new byte[] {1, 2, 3, 4, 5, 6, 7});
    putRaw(ChronicleStore.ACCEPTOR_FILE, key + 1, new byte[] {1, 2, 3, 4, 5, 6, 7});

    s = open(SMALL);
    StoredState state = s.load();
    assertThat(s.openReport().recovered()).isTrue();
    assertThat(state.losses()).containsExactly(StateLoss.ACCEPTOR_STATE);
    assertThat(state.accepted()).containsExactly(vote(4, 1));
  }

  @Test
  void aCellWithoutAnyCopyIsALoss() throws IOException {
    ChronicleStore s = open(SMALL);
    s.load();
    s.saveAccepted(vote(4, 1));
    s.close();
    Layout layout = Layout.readOrCreate(dir, SMALL);
    try (MapFile file =
        MapFile.open(dir.resolve(ChronicleStore.ACCEPTOR_FILE), layout.acceptorSizing(), false)) {
      long key = AcceptorFile.cellKey(AcceptorFile.cellOf(9)); // never written: its version 0
      file.remove(key);
      file.remove(key + 1);
    }
    assertNextOpenLosesAcceptorStateKeeping(vote(4, 1));
  }

  @Test
  void aVoteStoredInTheCellOfAnotherSlotIsDamage() throws IOException {
    ChronicleStore s = open(SMALL);
    s.load();
    s.saveAccepted(vote(4, 1));
    s.close();
    long key = AcceptorFile.cellKey(AcceptorFile.cellOf(3)) + 1;
    // A record with a valid checksum, at version 1 of cell 3, for slot 4.
    putRaw(ChronicleStore.ACCEPTOR_FILE, key, RecordCodec.accepted(key, 1, vote(4, 7)));
    assertNextOpenLosesAcceptorStateKeeping(vote(4, 1));
  }

  @Test
  void theRingOverwritesTheCellOfSlotMinusVotesKeptAndNothingNewer() throws IOException {
    ChronicleStore s = open(SMALL);
    s.load();
    int cells = AcceptorFile.CELLS;
    for (long slot = 1; slot <= 3L * cells; slot++) {
      s.saveAccepted(vote(slot, slot));
    }
    s.saveAccepted(vote(2L * cells, 99)); // highest - CELLS: dropped, cell keeps slot 3 * CELLS
    s.close();
    Layout layout = Layout.readOrCreate(dir, SMALL);
    try (MapFile file =
        MapFile.open(dir.resolve(ChronicleStore.ACCEPTOR_FILE), layout.acceptorSizing(), false)) {
      // Two copies of every cell; the identity, the promise and the id floor, never written,
      // have one each.
      assertThat(file.size()).as("records").isEqualTo(AcceptorFile.RECORDS - 3);
    }
    List<Proposal> expected = new ArrayList<>();
    for (long slot = 2L * cells + 1; slot <= 3L * cells; slot++) {
      expected.add(vote(slot, slot));
    }
    assertThat(open(SMALL).load().accepted()).containsExactlyElementsOf(expected);
  }

  @Test
  void aCellTheRingHasNotReachedAgainIsNotReturnedOnceItsVoteIsOutOfTheWindow() {
    ChronicleStore s = open(SMALL);
    s.load();
    s.saveAccepted(vote(1, 1));
    s.saveAccepted(vote(15, 1));
    s.saveAccepted(vote(31, 1)); // 31 - CELLS = 15: cells 1 and 15 still hold slots 1 and 15
    s.close();
    assertThat(open(SMALL).load().accepted()).containsExactly(vote(31, 1));
  }

  @Test
  void aVoteAboveVoteBytesMaxIsRefusedAndChangesNothing() {
    ChronicleStoreConfig config = SMALL.toBuilder().voteBytesMax(64 << 10).build();
    ChronicleStore s = open(config);
    s.load();
    // Record: header 5, version 8, presence 1, slot 8, ballot 16, count 4, entry header 16.
    int fits = (64 << 10) - 58;
    Proposal largest = new Proposal(1, new Ballot(1, 1), new Block(List.of(entry(1, 1, fits))));
    Proposal tooLarge =
        new Proposal(1, new Ballot(2, 1), new Block(List.of(entry(1, 1, fits + 1))));
    s.saveAccepted(largest);
    assertThatThrownBy(() -> s.saveAccepted(tooLarge))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("voteBytesMax");
    s.close();
    assertThat(open(config).load().accepted()).containsExactly(largest);
  }

  @Test
  void everyCopyOfEveryCellFitsAtVoteBytesMaxHoweverTheyAreReplaced() {
    int max = 256 << 10;
    ChronicleStoreConfig config = SMALL.toBuilder().voteBytesMax(max).build();
    ChronicleStore s = open(config);
    s.load();
    s.saveIdentity(IDENTITY);
    s.savePromised(new Ballot(1, 1));
    java.util.Random random = new java.util.Random(7);
    java.util.TreeMap<Long, Proposal> last = new java.util.TreeMap<>();
    for (int round = 1; round <= 8; round++) {
      for (long slot = 1; slot <= AcceptorFile.CELLS; slot++) {
        // Mostly the largest size, sometimes small, so that records move and space fragments.
        int payload = random.nextInt(4) == 0 ? 10 : max - 58 - random.nextInt(64);
        Proposal p =
            new Proposal(slot, new Ballot(round, 1), new Block(List.of(entry(1, slot, payload))));
        s.saveAccepted(p);
        last.put(slot, p);
      }
    }
    for (long slot = 1; slot <= AcceptorFile.CELLS; slot++) { // both copies at the largest now
      for (int copy = 0; copy < 2; copy++) {
        Proposal p = new Proposal(slot, new Ballot(20 + copy, 1),
            new Block(List.of(entry(1, slot, max - 58))));
        s.saveAccepted(p);
        last.put(slot, p);
      }
    }
    s.saveIdentity(IDENTITY);
    s.savePromised(new Ballot(30, 1));
    s.close();
    StoredState state = open(config).load();
    assertThat(state.accepted()).containsExactlyElementsOf(last.values());
    assertThat(state.losses()).isEmpty();
  }

  @Test
  void anAcceptorFileFromBeforeIdFloorsTakesThemBesideEveryCellAtVoteBytesMax() throws IOException {
    int max = 256 << 10;
    ChronicleStoreConfig config = SMALL.toBuilder().voteBytesMax(max).build();
    ChronicleStore first = open(config);
    first.load();
    first.close();
    // The acceptor file as a store made before the id floor (5a526bc) left it: sized for two
    // records fewer, holding no copy of the floor. Chronicle keeps a file's sizing for good.
    Path acceptor = dir.resolve(ChronicleStore.ACCEPTOR_FILE);
    Files.delete(acceptor);
    Map<Long, byte[]> before = new HashMap<>(AcceptorFile.initialRecords());
    before.remove(AcceptorFile.ID_FLOOR_KEY);
    MapFile.Sizing oldSizing =
        new MapFile.Sizing("acceptor", AcceptorFile.RECORDS - 2, max / 2.0, 1.0);
    MapFile.open(acceptor, oldSizing, false, before).close();

    ChronicleStore s = open(config);
    StoredState upgraded = s.load();
    assertThat(upgraded.idFloor()).as("never written").isEqualTo(IdFloor.NONE);
    assertThat(upgraded.losses()).isEmpty();
    // Every copy of every record at its largest, the floor's two copies among them.
    java.util.TreeMap<Long, Proposal> last = new java.util.TreeMap<>();
    s.saveIdentity(IDENTITY);
    s.savePromised(new Ballot(1, 1));
    for (int copy = 0; copy < 2; copy++) {
      for (long slot = 1; slot <= AcceptorFile.CELLS; slot++) {
        Proposal p = new Proposal(slot, new Ballot(10 + copy, 1),
            new Block(List.of(entry(1, slot, max - 58))));
        s.saveAccepted(p);
        last.put(slot, p);
      }
      s.saveIdFloor(new IdFloor(1 + copy * 4096L, 4097 + copy * 4096L));
      s.saveIdentity(IDENTITY);
      s.savePromised(new Ballot(20 + copy, 1));
      s.sync();
    }
    s.close();
    StoredState state = open(config).load();
    assertThat(state.accepted()).containsExactlyElementsOf(last.values());
    assertThat(state.idFloor()).isEqualTo(new IdFloor(4097, 8193));
    assertThat(state.promised()).isEqualTo(new Ballot(21, 1));
    assertThat(state.identity()).isEqualTo(IDENTITY);
    assertThat(state.losses()).isEmpty();
  }

  @Test
  void aDamagedIdentityIsLostAcceptorStateAndReadsAsNoIdentity() throws IOException {
    ChronicleStore s = open(SMALL);
    s.load();
    s.saveIdentity(new StoreIdentity(new String(MARKER, StandardCharsets.US_ASCII), 2, 1, 0));
    s.savePromised(new Ballot(3, 1));
    s.close();
    flipMarkerByte(dir.resolve(ChronicleStore.ACCEPTOR_FILE));

    StoredState state = open(SMALL).load();
    assertThat(state.identity()).isNull();
    assertThat(state.losses()).containsExactly(StateLoss.ACCEPTOR_STATE);
    assertThat(state.promised()).isEqualTo(new Ballot(3, 1));
  }

  @Test
  void aDeletedAcceptorFileIsLostAcceptorStateWithNoIdentity() throws IOException {
    ChronicleStore s = open(SMALL);
    s.load();
    s.saveIdentity(IDENTITY);
    s.savePromised(new Ballot(3, 1));
    s.saveChosen(new SlotBlock(1, block(1, 1)));
    s.close();
    Files.delete(dir.resolve(ChronicleStore.ACCEPTOR_FILE));

    StoredState state = open(SMALL).load();
    assertThat(state.identity()).isNull();
    assertThat(state.promised()).isEqualTo(Ballot.ZERO);
    assertThat(state.chosen()).containsExactly(block(1, 1));
    assertThat(state.losses()).containsExactly(StateLoss.ACCEPTOR_STATE);
  }

  @Test
  void anEmptiedDirectoryIsAFreshStoreAndReportsNothing() throws IOException {
    ChronicleStore s = open(SMALL);
    s.load();
    s.saveIdentity(IDENTITY);
    s.close();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    StoredState state = open(SMALL).load();
    assertThat(state.isEmpty()).as("the node, not the store, must treat this as lost").isTrue();
    assertThat(state.losses()).isEmpty();
  }

  @Test
  void aStoreOfFormat1IsRefusedInOneLine() throws IOException {
    assertRefused(1, "(written before member identities and generations)");
  }

  @Test
  void aStoreOfFormat2IsRefusedInOneLine() throws IOException {
    assertRefused(2, "(written before votes were kept per slot)");
  }

  /** A directory as the build of {@code format} left it is refused, and left as it was. */
  private void assertRefused(int format, String why) throws IOException {
    String layout = "format=" + format + "\nchosenBlocksPerFile=16\n"
        + "averageBlockBytes=256\nlocalLogEntries=256\naverageEntryBytes=64\n";
    Files.writeString(dir.resolve(Layout.FILE), layout);
    byte[] acceptor = new byte[64];
    Arrays.fill(acceptor, (byte) format);
    Files.write(dir.resolve(ChronicleStore.ACCEPTOR_FILE), acceptor);
    assertThatThrownBy(() -> ChronicleStore.open(dir, SMALL))
        .isInstanceOf(StoreException.class)
        .hasMessage(dir + " is a store of format " + format + " " + why + "; this version reads"
            + " formats 3 and 4 only: move the directory aside and start the member on an empty one"
            + " (docs/STORAGE.md, \"Old store directories\")");
    // The refusal released the directory and changed nothing.
    assertThat(Files.readString(dir.resolve(Layout.FILE))).isEqualTo(layout);
    assertThat(Files.readAllBytes(dir.resolve(ChronicleStore.ACCEPTOR_FILE))).isEqualTo(acceptor);
    assertThatThrownBy(() -> ChronicleStore.open(dir, SMALL))
        .hasMessageContaining("format " + format);
  }

  @Test
  void aStoreOfFormat3IsUpgradedInPlaceAndKeepsItsState() throws IOException {
    ChronicleStore s = open(SMALL);
    s.load();
    s.saveChosen(new SlotBlock(1, block(1, 2)));
    s.close();
    Path layoutFile = dir.resolve(Layout.FILE);
    Files.writeString(layoutFile, Files.readString(layoutFile).replace("format=4", "format=3"));
    s = open(SMALL);
    assertThat(s.load().chosen()).containsExactly(block(1, 2));
    s.close();
    assertThat(Files.readString(layoutFile)).contains("format=4").doesNotContain("format=3");
  }

  @Test
  void aNewDirectoryRecordsFormat4AndItsVoteBytesMax() throws IOException {
    open(SMALL.toBuilder().voteBytesMax(123_456).build()).close();
    String layout = Files.readString(dir.resolve(Layout.FILE));
    assertThat(layout).contains("format=4").contains("voteBytesMax=123456");
    // A later config does not change it.
    assertThat(Layout.readOrCreate(dir, SMALL).voteBytesMax()).isEqualTo(123_456);
  }

  @Test
  void mapFilesWithoutALayoutAreRefused() throws IOException {
    Files.write(dir.resolve(ChronicleStore.ACCEPTOR_FILE), new byte[64]);
    assertThatThrownBy(() -> ChronicleStore.open(dir, SMALL))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("no LAYOUT");
  }

  // ---- chosen blocks: which dropped slots are losses --------------------------------------

  /** Slots 1..10 synced one by one, then slot 11 written and not synced. Slot 8 is marked. */
  private ChronicleStore writeTenSyncedAndOneMore(ChronicleStoreConfig config, long marked) {
    ChronicleStore s = open(config);
    s.load();
    for (long slot = 1; slot <= 11; slot++) {
      Block b = slot == marked ? new Block(List.of(markedEntry(slot))) : block(slot, 1);
      s.saveChosen(new SlotBlock(slot, b));
      if (slot <= 10) {
        s.sync();
      }
    }
    return s;
  }

  private Path chosenFile(long firstSlot) {
    return dir.resolve(String.format("chosen-%019d.cm", firstSlot));
  }

  @Test
  void aCorruptChosenBlockSetsAsideOnlyItselfAndTheStoreGoesOn() throws IOException {
    ChronicleStore s = open(SMALL);
    s.load();
    for (long slot = 1; slot <= 40; slot++) {
      Block b = slot == 20 ? new Block(List.of(markedEntry(slot))) : block(slot, 1);
      s.saveChosen(new SlotBlock(slot, b));
    }
    s.close();
    flipMarkerByte(chosenFile(17));

    s = open(SMALL);
    StoredState state = s.load();
    assertThat(state.chosen()).hasSize(19);
    assertThat(state.losses()).containsExactly(StateLoss.CHOSEN_BLOCKS);
    assertThat(s.openReport().chosenSlotsDropped()).isEqualTo(21);
    // Only slot 20 is lost: the 20 intact blocks above it are handed to the node, which applies
    // them once catch-up brings slot 20 (R16).
    assertThat(state.chosenAhead()).extracting(SlotBlock::slot)
        .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(21, 40).boxed().toList());
    assertThat(state.chosenAhead().get(0).block()).isEqualTo(block(21, 1));
    for (long slot = 20; slot <= 45; slot++) {
      s.saveChosen(new SlotBlock(slot, block(slot, 1)));
    }
    s.close();
    assertThat(open(SMALL).load().chosen()).hasSize(45).last().isEqualTo(block(45, 1));
  }

  @Test
  void aDeletedNewestChosenFileAfterACleanCloseIsALoss() throws IOException {
    ChronicleStore s = open(SMALL);
    s.load();
    for (long slot = 1; slot <= 20; slot++) {
      s.saveChosen(new SlotBlock(slot, block(slot, 1)));
    }
    s.close();
    Files.delete(chosenFile(17));
    StoredState state = open(SMALL).load();
    assertThat(state.chosen()).hasSize(16);
    assertThat(state.losses()).containsExactly(StateLoss.CHOSEN_BLOCKS);
  }

  @Test
  void afterAKillTheTornNewestChosenRecordIsNoLoss() throws IOException {
    ChronicleStore s = writeTenSyncedAndOneMore(SMALL, 11);
    s.simulateCrash();
    flipMarkerByte(chosenFile(1)); // slot 11, the write in flight, is torn

    s = open(SMALL);
    StoredState state = s.load();
    assertThat(state.chosen()).hasSize(10);
    assertThat(state.losses()).isEmpty();
    assertThat(s.openReport().chosenSlotsDropped()).isEqualTo(1);
  }

  @Test
  void afterAKillADamagedOlderChosenRecordIsALoss() throws IOException {
    ChronicleStore s = open(SMALL);
    s.load();
    for (long slot = 1; slot <= 3; slot++) {
      s.saveChosen(new SlotBlock(slot, slot == 2 ? new Block(List.of(markedEntry(2)))
          : block(slot, 1)));
    }
    // Nothing was synced, so no watermark tells; but the page cache survived a kill, so slot 2
    // was complete when slot 3 was written and its damage is not the write in flight.
    s.simulateCrash();
    flipMarkerByte(chosenFile(1));

    StoredState state = open(SMALL).load();
    assertThat(state.chosen()).hasSize(1);
    assertThat(state.losses()).containsExactly(StateLoss.CHOSEN_BLOCKS);
  }

  @Test
  void afterAPowerCutADamagedSyncedChosenRecordIsALoss() throws IOException {
    // Slot 8 was synced before slots 9 to 11 were written; their watermarks prove it.
    ChronicleStore s = writeTenSyncedAndOneMore(SMALL, 8);
    s.simulateCrash();
    ChronicleStoreTest.rebootHost(dir, Durability.POWER);
    flipMarkerByte(chosenFile(1));
    // As if slot 8 had been synced before the journal's last checkpoint: no record restores it.
    Files.delete(dir.resolve(Journal.FILE));

    StoredState state = open(SMALL).load();
    assertThat(state.chosen()).hasSize(7);
    assertThat(state.losses()).containsExactly(StateLoss.CHOSEN_BLOCKS);
  }

  @Test
  void afterAPowerCutADamagedUnsyncedChosenRecordIsNoLoss() throws IOException {
    ChronicleStore s = open(SMALL);
    s.load();
    for (long slot = 1; slot <= 12; slot++) {
      Block b = slot == 10 ? new Block(List.of(markedEntry(slot))) : block(slot, 1);
      s.saveChosen(new SlotBlock(slot, b));
      if (slot == 8) {
        s.sync(); // 9 to 12 were never synced: any of them may be torn or lost
      }
    }
    s.simulateCrash();
    ChronicleStoreTest.rebootHost(dir, Durability.POWER);
    flipMarkerByte(chosenFile(1));

    s = open(SMALL);
    StoredState state = s.load();
    assertThat(state.chosen()).hasSize(9);
    assertThat(state.losses()).isEmpty();
    assertThat(s.openReport().chosenSlotsDropped()).isEqualTo(3);
  }

  // ---- the local log ----------------------------------------------------------------------

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
    StoredState state = s.load();
    assertThat(state.localLog()).containsExactly(entry(1, 1, 8), entry(1, 3, 8));
    assertThat(state.losses()).containsExactly(StateLoss.LOCAL_ENTRIES);
    assertThat(s.openReport().localRecordsDropped()).isEqualTo(1);
  }

  @Test
  void afterAKillTheTornNewestLocalRecordIsNoLoss() throws IOException {
    ChronicleStore s = open(SMALL);
    s.load();
    s.appendLocal(entry(1, 1, 8));
    s.sync();
    s.appendLocal(markedEntry(2)); // in flight when the process died
    s.simulateCrash();
    flipMarkerByte(dir.resolve(ChronicleStore.LOCAL_FILE));

    StoredState state = open(SMALL).load();
    assertThat(state.localLog()).containsExactly(entry(1, 1, 8));
    assertThat(state.losses()).isEmpty();
  }

  @Test
  void afterAKillADamagedOlderLocalRecordIsALoss() throws IOException {
    ChronicleStore s = open(SMALL);
    s.load();
    s.appendLocal(markedEntry(1));
    s.appendLocal(entry(1, 2, 8));
    s.simulateCrash(); // nothing synced: only the watermark-free kill rule can tell
    flipMarkerByte(dir.resolve(ChronicleStore.LOCAL_FILE));

    StoredState state = open(SMALL).load();
    assertThat(state.localLog()).containsExactly(entry(1, 2, 8));
    assertThat(state.losses()).containsExactly(StateLoss.LOCAL_ENTRIES);
  }

  @Test
  void afterAPowerCutTheJournalRepairsADamagedSyncedRecord() throws IOException {
    ChronicleStore s = open(SMALL);
    s.load();
    s.appendLocal(markedEntry(1));
    s.sync();
    s.appendLocal(entry(1, 2, 8));
    s.simulateCrash();
    ChronicleStoreTest.rebootHost(dir, Durability.POWER);
    flipMarkerByte(dir.resolve(ChronicleStore.LOCAL_FILE));

    StoredState state = open(SMALL).load();
    assertThat(state.localLog()).as("the replay put the synced record back")
        .startsWith(markedEntry(1));
    assertThat(state.losses()).isEmpty();
  }

  @Test
  void afterAPowerCutADamagedSyncedLocalRecordIsALoss() throws IOException {
    ChronicleStore s = open(SMALL);
    s.load();
    s.appendLocal(markedEntry(1));
    s.sync();
    s.appendLocal(entry(1, 2, 8)); // its watermark says record 1 was synced
    s.simulateCrash();
    ChronicleStoreTest.rebootHost(dir, Durability.POWER);
    flipMarkerByte(dir.resolve(ChronicleStore.LOCAL_FILE));
    Files.delete(dir.resolve(Journal.FILE)); // synced before the last checkpoint, as above

    StoredState state = open(SMALL).load();
    assertThat(state.localLog()).containsExactly(entry(1, 2, 8));
    assertThat(state.losses()).containsExactly(StateLoss.LOCAL_ENTRIES);
  }

  @Test
  void afterAPowerCutADamagedUnsyncedLocalRecordIsNoLoss() throws IOException {
    ChronicleStore s = open(SMALL);
    s.load();
    s.appendLocal(entry(1, 1, 8));
    s.sync();
    s.appendLocal(markedEntry(2)); // neither this nor the next append was synced
    s.appendLocal(entry(1, 3, 8));
    s.simulateCrash();
    ChronicleStoreTest.rebootHost(dir, Durability.POWER);
    flipMarkerByte(dir.resolve(ChronicleStore.LOCAL_FILE));

    StoredState state = open(SMALL).load();
    assertThat(state.localLog()).containsExactly(entry(1, 1, 8), entry(1, 3, 8));
    assertThat(state.losses()).isEmpty();
  }

  @Test
  void anEntryStoredTwiceAfterALostRemovalKeepsItsLaterCopyAndIsNoLoss() {
    ChronicleStore s = open(SMALL);
    s.load();
    s.appendLocal(entry(1, 1, 8)); // key 1
    s.appendLocal(entry(1, 2, 8)); // key 2
    s.removeLocal(List.of(entry(1, 1, 8).id()));
    s.appendLocal(entry(1, 1, 8)); // key 3
    s.simulateCrash();
    // A power cut kept the new append but not the removal: key 1 holds the entry again.
    Layout layout = Layout.readOrCreate(dir, SMALL);
    try (MapFile file = MapFile.open(dir.resolve(ChronicleStore.LOCAL_FILE), layout.localSizing(),
        true)) {
      file.put(1, RecordCodec.local(1, 1, entry(1, 1, 8)));
    }
    s = open(SMALL);
    StoredState state = s.load();
    assertThat(state.localLog()).containsExactly(entry(1, 2, 8), entry(1, 1, 8));
    assertThat(state.losses()).isEmpty();
    s.close();
    assertThat(open(SMALL).load().localLog()).containsExactly(entry(1, 2, 8), entry(1, 1, 8));
  }

  @Test
  void recoveryReportsThatOnlyRepairBookkeepingAreToldApartFromEntryLoss() {
    assertThat(MapFile.isBookkeeping("lock of segment 0 is not clear: [write locked = true]")).isTrue();
    assertThat(MapFile.isBookkeeping("Wrong number of entries counter for tier with index 5")).isTrue();
    assertThat(MapFile.isBookkeeping("Checksum doesn't match, stored: 1, should be: 2")).isFalse();
    assertThat(MapFile.isBookkeeping("Wrong value size: 9, key: 3")).isFalse();
    assertThat(MapFile.isBookkeeping(null)).isFalse();
  }

  /** The next clean open reports lost acceptor state and returns exactly {@code votes}. */
  private void assertNextOpenLosesAcceptorStateKeeping(Proposal... votes) {
    StoredState state = open(SMALL).load();
    assertThat(state.losses()).containsExactly(StateLoss.ACCEPTOR_STATE);
    assertThat(state.accepted()).containsExactly(votes);
  }

  /** Writes {@code record} under {@code key} into the map file {@code name}, as a disk might. */
  private void putRaw(String name, long key, byte[] record) {
    Layout layout = Layout.readOrCreate(dir, SMALL);
    MapFile.Sizing sizing =
        name.equals(ChronicleStore.ACCEPTOR_FILE) ? layout.acceptorSizing() : layout.localSizing();
    try (MapFile file = MapFile.open(dir.resolve(name), sizing, true)) {
      file.put(key, record);
    }
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
