package dev.modpaxos.example.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The state machine alone: results per entry, in order; commands round-trip; bad input fails. */
class KvStoreTest {
  private static Block block(KvCommand... commands) {
    Entry[] entries = new Entry[commands.length];
    for (int i = 0; i < commands.length; i++) {
      entries[i] = new Entry(1, i + 1, commands[i].encode());
    }
    return new Block(Arrays.asList(entries));
  }

  @Test
  void aPutReturnsWhatItReplacedAndACasWhetherItSet() {
    KvStore store = new KvStore();
    List<Object> results =
        new java.util.ArrayList<>(store.applyWithResults(
            1,
            block(
                KvCommand.put("a", "1"),
                KvCommand.put("a", "2"),
                KvCommand.cas("a", "1", "x"),
                KvCommand.cas("a", "2", "3"),
                KvCommand.cas("b", null, "new"),
                KvCommand.cas("b", null, "again"))));

    assertThat(results).containsExactly(null, "1", false, true, true, false);
    assertThat(store.snapshot()).containsExactly(
        java.util.Map.entry("a", "3"), java.util.Map.entry("b", "new"));
  }

  @Test
  void commandsRoundTripAndBadPayloadsAreRefused() {
    for (KvCommand c : List.of(KvCommand.put("k", ""), KvCommand.cas("k", null, "v"),
        KvCommand.cas("ключ", "é", "v"))) {
      assertThat(KvCommand.decode(c.encode())).isEqualTo(c);
    }
    assertThatThrownBy(() -> KvCommand.decode(new byte[] {9}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a key-value command: op 9");
    byte[] longer = Arrays.copyOf(KvCommand.put("k", "v").encode(), 12);
    assertThatThrownBy(() -> KvCommand.decode(longer))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bytes left over");
    assertThatThrownBy(() -> new KvCommand(KvCommand.Op.PUT, "k", "e", "v"))
        .isInstanceOf(IllegalArgumentException.class);
    KvStore store = new KvStore();
    assertThatThrownBy(() -> store.applyWithResults(1, new Block(List.of(new Entry(1, 1,
        new byte[] {1, 0})))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(store.size()).isZero();
  }
}
