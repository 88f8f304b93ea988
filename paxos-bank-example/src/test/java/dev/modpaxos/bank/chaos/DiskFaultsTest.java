package dev.modpaxos.bank.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.SlotBlock;
import dev.modpaxos.spi.StoredState;
import dev.modpaxos.storage.chronicle.ChronicleStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The corrupt fault aims at a real store's records: it finds every chosen record of a chosen-block
 * file by its format and checksum, and a few flipped payload bytes are reported as lost state.
 */
class DiskFaultsTest {
  @Test
  void everyChosenRecordIsFoundAndAFlipInOneIsReportedAsLoss(@TempDir Path dir) throws Exception {
    try (ChronicleStore store = ChronicleStore.open(dir)) {
      for (long slot = 1; slot <= 20; slot++) {
        byte[] payload = ("transfer " + slot).getBytes(StandardCharsets.UTF_8);
        store.saveChosen(new SlotBlock(slot, new Block(List.of(new Entry(1, slot, payload)))));
      }
      store.sync();
    }
    List<Path> files = DiskFaults.chosenFiles(dir);
    assertThat(files).hasSize(1);
    List<long[]> records = DiskFaults.chosenRecords(files.get(0));
    assertThat(records.stream().map(r -> r[2]).sorted().toList())
        .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 20).boxed().toList());
    long[] seven = records.stream().filter(r -> r[2] == 7).findFirst().orElseThrow();
    assertThat(seven[1]).isEqualTo("transfer 7".length());
    DiskFaults.flip(files.get(0), seven[0], 3);
    try (ChronicleStore store = ChronicleStore.open(dir)) {
      StoredState state = store.load();
      assertThat(state.losses()).isNotEmpty();
      assertThat(state.chosen()).hasSizeLessThan(20);
    }
  }
}
