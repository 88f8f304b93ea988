package dev.modpaxos.storage.chronicle;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.EntryId;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.protocol.SlotBlock;
import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.StoreContract;
import dev.modpaxos.spi.StoreIdentity;
import dev.modpaxos.spi.StoredState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The child process of {@link ChronicleStoreCrashTest}: writes one iteration after another into a
 * store and prints {@code ACK <round> <slot> END} after each {@code sync()} returned. Iteration
 * {@code s} saves {@link #identityFor}(s) if {@code s % 20 == 1}, promises round {@code r},
 * accepts and chooses {@link #blockFor}(s), appends {@link #localFor}(s) and removes the local
 * entry of slot {@code s - 3}. It continues from whatever the store holds, so it can be killed
 * and restarted at any point.
 *
 * <p>Usage: {@code CrashWriter <dir> <PROCESS|POWER>}. Runs until killed.
 */
public final class CrashWriter {
  static final int LOCAL_ORIGIN = 9;
  static final int IDENTITY_EVERY = 20;

  static ChronicleStoreConfig config(Durability durability) {
    // Small files so that kills also land while a chosen-block file rolls over.
    return ChronicleStoreConfig.builder()
        .durability(durability)
        .chosenBlocksPerFile(128)
        .averageBlockBytes(1024)
        .localLogEntries(1024)
        .build();
  }

  static Block blockFor(long slot) {
    List<Entry> entries = new ArrayList<>(StoreContract.block(slot, (int) (slot % 4)).entries());
    if (slot % 50 == 0) {
      entries.add(StoreContract.entry(7, slot, 64 << 10));
    }
    return new Block(entries);
  }

  static Entry localFor(long slot) {
    return StoreContract.entry(LOCAL_ORIGIN, slot, (int) (slot % 200));
  }

  /**
   * The identity the latest iteration up to {@code slot} saved: a new generation every {@link
   * #IDENTITY_EVERY} slots, its nonce the slot that saved it. Null before slot 1.
   */
  static StoreIdentity identityFor(long slot) {
    if (slot < 1) {
      return null;
    }
    long saver = (slot - 1) / IDENTITY_EVERY * IDENTITY_EVERY + 1;
    return new StoreIdentity("crash-test", 1, (int) (1 + saver / IDENTITY_EVERY), saver);
  }

  public static void main(String[] args) {
    Store store = ChronicleStore.open(Path.of(args[0]), config(Durability.valueOf(args[1])));
    StoredState state = store.load();
    System.out.println("OPEN " + state.chosen().size());
    System.out.flush();
    long slot = state.chosen().size() + 1;
    long round = state.promised().round() + 1;
    while (true) {
      iterate(store, round, slot);
      System.out.println("ACK " + round + " " + slot + " END");
      System.out.flush();
      slot++;
      round++;
    }
  }

  /** One iteration: the writes of {@code slot} at {@code round}, then {@code sync()}. */
  static void iterate(Store store, long round, long slot) {
    Ballot ballot = new Ballot(round, 1, identityFor(slot).generation());
    Block block = blockFor(slot);
    if (slot % IDENTITY_EVERY == 1) {
      store.saveIdentity(identityFor(slot));
    }
    store.savePromised(ballot);
    store.saveAccepted(new Proposal(slot, ballot, block));
    store.saveChosen(new SlotBlock(slot, block));
    store.appendLocal(localFor(slot));
    if (slot > 3) {
      store.removeLocal(List.of(new EntryId(LOCAL_ORIGIN, slot - 3)));
    }
    store.sync();
  }
}
