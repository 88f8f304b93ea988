package dev.modpaxos.local;

import static dev.modpaxos.spi.StoreContract.block;
import static dev.modpaxos.spi.StoreContract.entry;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.SlotBlock;
import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.StoreContract;
import dev.modpaxos.spi.StoredState;
import org.junit.jupiter.api.Test;

class InMemoryStoreTest extends StoreContract {

  @Override
  protected Store openFresh() {
    return new InMemoryStore();
  }

  @Override
  protected Store openAgain(Store closed) {
    return closed;
  }

  @Test
  void crashDropsUnsyncedWrites() {
    InMemoryStore s = new InMemoryStore();
    s.load();
    s.savePromised(new Ballot(1, 1));
    s.sync();
    s.savePromised(new Ballot(2, 1));
    s.appendLocal(entry(1, 1, 4));
    s.saveChosen(new SlotBlock(1, block(1, 1)));

    assertThat(s.crash()).isEqualTo(3);

    StoredState state = s.load();
    assertThat(state.promised()).isEqualTo(new Ballot(1, 1));
    assertThat(state.localLog()).isEmpty();
    assertThat(state.chosen()).isEmpty();
  }

  @Test
  void crashKeepsATornPrefixOfUnsyncedWrites() {
    InMemoryStore s = new InMemoryStore();
    s.load();
    s.savePromised(new Ballot(2, 1));
    s.appendLocal(entry(1, 1, 4));
    s.saveChosen(new SlotBlock(1, block(1, 1)));

    assertThat(s.crash(i -> i < 2)).isEqualTo(1);

    StoredState state = s.load();
    assertThat(state.promised()).isEqualTo(new Ballot(2, 1));
    assertThat(state.localLog()).containsExactly(entry(1, 1, 4));
    assertThat(state.chosen()).isEmpty();
    assertThat(s.unsyncedWrites()).isZero();
  }
}
