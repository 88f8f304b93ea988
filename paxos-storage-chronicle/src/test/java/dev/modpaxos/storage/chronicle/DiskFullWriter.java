package dev.modpaxos.storage.chronicle;

import dev.modpaxos.local.ForwardingStore;
import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.EntryId;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.protocol.SlotBlock;
import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.StoreException;
import dev.modpaxos.spi.StoreIdentity;
import dev.modpaxos.spi.StoredState;
import java.nio.file.Path;
import java.util.Collection;

/**
 * The child process of {@link ChronicleStoreDiskFullTest}: opens a store, prints {@code OPEN},
 * then runs {@link CrashWriter#iterate} for slot 1, 2, 3, ... and prints {@code ACK <round>
 * <slot> END} after each {@code sync()} returned, until a store call fails. A {@link
 * StoreException} prints {@code STORE-ERROR <its message>} and exits with {@link #EXIT_STORE};
 * anything else thrown prints {@code OTHER-ERROR <the throwable>} and exits with {@link
 * #EXIT_OTHER}. The test fills the disk under it while it writes.
 *
 * <p>With {@code broken}, the store is wrapped in {@link DroppingStore}, a deliberately broken
 * store that swallows every failure (the full disk) and reports the sync as successful; the
 * writer then goes on acknowledging {@link #ACKS_AFTER_DROP} more iterations, whose writes were
 * dropped, and exits with 0. The test must catch that.
 *
 * <p>Usage: {@code DiskFullWriter <dir> <PROCESS|POWER> [broken]}.
 */
public final class DiskFullWriter {
  static final int EXIT_STORE = 3;
  static final int EXIT_OTHER = 4;
  static final int ACKS_AFTER_DROP = 20;

  /** Small files, so that a chosen-block file rolls over every 32 slots. */
  static ChronicleStoreConfig config(Durability durability) {
    return ChronicleStoreConfig.builder()
        .durability(durability)
        .chosenBlocksPerFile(32)
        .averageBlockBytes(2048)
        .voteBytesMax(80 << 10)
        .localLogEntries(64)
        .build();
  }

  public static void main(String[] args) {
    boolean broken = args.length > 2 && args[2].equals("broken");
    try {
      ChronicleStore chronicle =
          ChronicleStore.open(Path.of(args[0]), config(Durability.valueOf(args[1])));
      Store store = broken ? new DroppingStore(chronicle) : chronicle;
      StoredState state = store.load();
      say("OPEN " + state.chosenSlot());
      long round = state.promised().round() + 1;
      for (long slot = state.chosenSlot() + 1; ; slot++, round++) {
        CrashWriter.iterate(store, round, slot);
        say("ACK " + round + " " + slot + " END");
        if (broken && ((DroppingStore) store).dropped > 0
            && ((DroppingStore) store).acksAfterDrop++ >= ACKS_AFTER_DROP) {
          say("DROPPED " + ((DroppingStore) store).dropped + " failed writes");
          System.exit(0);
        }
      }
    } catch (StoreException e) {
      say("STORE-ERROR " + e.getMessage());
      System.exit(EXIT_STORE);
    } catch (Throwable t) {
      say("OTHER-ERROR " + t);
      t.printStackTrace(); // to the child's stderr file, which the test names on failure
      System.exit(EXIT_OTHER);
    }
  }

  private static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }

  /**
   * Deliberately broken: a store that silently drops writes on a full disk. Every write and sync
   * that throws is swallowed, so the caller is told its writes are durable.
   */
  static final class DroppingStore extends ForwardingStore {
    int dropped;
    int acksAfterDrop;

    DroppingStore(Store inner) {
      super(inner);
    }

    private void swallow(Runnable write) {
      try {
        write.run();
      } catch (RuntimeException | Error e) {
        if (dropped++ == 0) {
          say("SWALLOWED " + e);
        }
      }
    }

    @Override
    public void saveIdentity(StoreIdentity identity) {
      swallow(() -> super.saveIdentity(identity));
    }

    @Override
    public void savePromised(Ballot promised) {
      swallow(() -> super.savePromised(promised));
    }

    @Override
    public void saveAccepted(Proposal accepted) {
      swallow(() -> super.saveAccepted(accepted));
    }

    @Override
    public void saveChosen(SlotBlock chosen) {
      swallow(() -> super.saveChosen(chosen));
    }

    @Override
    public void appendLocal(Entry entry) {
      swallow(() -> super.appendLocal(entry));
    }

    @Override
    public void removeLocal(Collection<EntryId> ids) {
      swallow(() -> super.removeLocal(ids));
    }

    @Override
    public void sync() {
      swallow(super::sync);
    }

    @Override
    public void close() {
      swallow(super::close);
    }
  }
}
