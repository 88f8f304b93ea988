package dev.modpaxos.local;

import static dev.modpaxos.spi.StoreContract.block;
import static dev.modpaxos.spi.StoreContract.entry;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.SlotBlock;
import dev.modpaxos.spi.StateLoss;
import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.StoreContract;
import dev.modpaxos.spi.StoreIdentity;
import dev.modpaxos.spi.StoredState;
import java.util.SplittableRandom;
import java.util.function.LongPredicate;
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

  @Override
  protected void loseAcceptorState(Store closed) {
    ((InMemoryStore) closed).lose(StateLoss.ACCEPTOR_STATE, new SplittableRandom(1));
  }

  @Override
  protected Store openAfterCrash(Store open) {
    ((InMemoryStore) open).crash();
    return open;
  }

  @Override
  protected Store openAfterPowerCut(Store open, long firstUnsynced, LongPredicate survives) {
    ((InMemoryStore) open).crash(i -> survives.test(firstUnsynced + i));
    return open;
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
  void crashKeepsAnySubsetOfUnsyncedWritesNotOnlyAPrefix() {
    InMemoryStore s = new InMemoryStore();
    s.load();
    s.savePromised(new Ballot(2, 1));
    s.appendLocal(entry(1, 1, 4));
    s.saveChosen(new SlotBlock(1, block(1, 1)));

    assertThat(s.crash(i -> i != 0)).isEqualTo(1); // the first write is lost, the later kept

    StoredState state = s.load();
    assertThat(state.promised()).isEqualTo(Ballot.ZERO);
    assertThat(state.localLog()).containsExactly(entry(1, 1, 4));
    assertThat(state.chosen()).containsExactly(block(1, 1));
    assertThat(s.unsyncedWrites()).isZero();
  }

  @Test
  void wipeLeavesAnEmptyStoreThatReportsNothing() {
    InMemoryStore s = new InMemoryStore();
    s.load();
    s.saveIdentity(StoreIdentity.founding("c", 1));
    s.savePromised(new Ballot(2, 1));
    s.sync();
    s.lose(StateLoss.LOCAL_ENTRIES, new SplittableRandom(3));
    s.wipe();
    StoredState state = s.load();
    assertThat(state.isEmpty()).isTrue();
    assertThat(state.losses()).isEmpty();
  }
}
