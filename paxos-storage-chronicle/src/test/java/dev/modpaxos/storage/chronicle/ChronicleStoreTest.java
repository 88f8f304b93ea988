package dev.modpaxos.storage.chronicle;

import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.StoreContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongPredicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Store contract against ChronicleStore in its default (POWER) mode, close and reopen
 * included. Crashes are simulated in-process: {@link ChronicleStore#simulateCrash()} leaves the
 * files as a kill -9 would; a power cut additionally makes the host look rebooted and removes the
 * records the cut is to lose.
 */
class ChronicleStoreTest extends StoreContract {
  @TempDir Path base;

  ChronicleStoreConfig config() {
    return ChronicleStoreConfig.defaults();
  }

  private Path dir() {
    return base.resolve("store");
  }

  @Override
  protected Store openFresh() {
    return ChronicleStore.open(dir(), config());
  }

  @Override
  protected Store openAgain(Store closed) {
    return ChronicleStore.open(((ChronicleStore) closed).directory(), config());
  }

  /** A bad disk lost the acceptor file; the local log is still there. */
  @Override
  protected void loseAcceptorState(Store closed) {
    try {
      Files.delete(((ChronicleStore) closed).directory().resolve(ChronicleStore.ACCEPTOR_FILE));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  protected Store openAfterCrash(Store open) {
    ((ChronicleStore) open).simulateCrash();
    return ChronicleStore.open(dir(), config());
  }

  @Override
  protected Store openAfterPowerCut(Store open, long firstUnsynced, LongPredicate survives) {
    ((ChronicleStore) open).simulateCrash();
    try {
      rebootHost(dir(), config().durability());
      Layout layout = Layout.readOrCreate(dir(), config());
      try (Stream<Path> files = Files.list(dir())) {
        for (Path f : files.filter(p -> p.getFileName().toString().startsWith("chosen-")).toList()) {
          try (MapFile file = MapFile.open(f, layout.chosenSizing(), false)) {
            for (long slot : file.keys()) {
              if (slot >= firstUnsynced && !survives.test(slot)) {
                file.remove(slot);
              }
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ChronicleStore.open(dir(), config());
  }

  /** Makes the last session of {@code dir} look like one from before a reboot of the host. */
  static void rebootHost(Path dir, Durability durability) throws IOException {
    Files.writeString(
        dir.resolve(Session.FILE), "bootId=some-earlier-boot\ndurability=" + durability + "\n");
  }
}
