package dev.modpaxos.storage.chronicle;

/** The Store contract against ChronicleStore in PROCESS mode (sync() does not msync). */
class ChronicleStoreProcessModeTest extends ChronicleStoreTest {
  @Override
  ChronicleStoreConfig config() {
    return ChronicleStoreConfig.builder().durability(Durability.PROCESS).build();
  }
}
