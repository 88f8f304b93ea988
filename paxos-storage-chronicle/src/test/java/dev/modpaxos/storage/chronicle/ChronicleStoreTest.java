package dev.modpaxos.storage.chronicle;

import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.StoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The Store contract against ChronicleStore in its default (POWER) mode, close and reopen included. */
class ChronicleStoreTest extends StoreContract {
  @TempDir Path base;

  ChronicleStoreConfig config() {
    return ChronicleStoreConfig.defaults();
  }

  @Override
  protected Store openFresh() {
    return ChronicleStore.open(base.resolve("store"), config());
  }

  @Override
  protected Store openAgain(Store closed) {
    return ChronicleStore.open(((ChronicleStore) closed).directory(), config());
  }
}
