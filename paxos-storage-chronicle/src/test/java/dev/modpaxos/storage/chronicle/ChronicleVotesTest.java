package dev.modpaxos.storage.chronicle;

import static dev.modpaxos.spi.StoreContract.block;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.StoreException;
import dev.modpaxos.spi.StoredState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ChronicleStore's votes beyond the shared {@code StoreContract} (which holds the votes-per-slot
 * cases for every store, R18): at load it raises the promise to the highest vote's ballot.
 */
class ChronicleVotesTest {
  // ---- hooks (ChronicleStoreTest's, as StoreContract asks for them) -------------------------

  @TempDir Path base;
  private final List<Store> opened = new ArrayList<>();

  private Path dir() {
    return base.resolve("store");
  }

  private Store openFresh() {
    return ChronicleStore.open(dir(), ChronicleStoreConfig.defaults());
  }

  private Store openAgain(Store closed) {
    return ChronicleStore.open(((ChronicleStore) closed).directory(), ChronicleStoreConfig.defaults());
  }

  private void loseAcceptorState(Store closed) {
    try {
      Files.delete(((ChronicleStore) closed).directory().resolve(ChronicleStore.ACCEPTOR_FILE));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Store openAfterCrash(Store open) {
    ((ChronicleStore) open).simulateCrash();
    return ChronicleStore.open(dir(), ChronicleStoreConfig.defaults());
  }

  private Store fresh() {
    return track(openFresh());
  }

  private Store reopen(Store store) {
    store.close();
    return track(openAgain(store));
  }

  private Store crashAndReopen(Store store) {
    return track(openAfterCrash(store));
  }

  private Store track(Store store) {
    opened.add(store);
    return store;
  }

  @AfterEach
  void closeStores() {
    for (Store s : opened) {
      try {
        s.close();
      } catch (StoreException alreadyFailed) {
        // as in StoreContract
      }
    }
  }

  // ---- the proposed tests ------------------------------------------------------------------

  @Test
  public void theHighestBallotOfAnyVoteRaisesThePromise() {
    Store s = fresh();
    s.load();
    s.savePromised(new Ballot(3, 1));
    s.saveAccepted(new Proposal(1, new Ballot(9, 2), block(1, 1)));
    s.saveAccepted(new Proposal(2, new Ballot(5, 1), block(2, 1)));
    s.sync();
    StoredState state = reopen(s).load();
    assertThat(state.promised()).isGreaterThanOrEqualTo(new Ballot(9, 2));
  }

}
