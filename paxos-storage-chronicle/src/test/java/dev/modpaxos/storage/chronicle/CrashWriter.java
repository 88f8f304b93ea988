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
 * <p>Snapshots (R20): after iteration {@code s} with {@code s % }{@link #SNAPSHOT_EVERY}{@code ==
 * 0} it writes the snapshot of {@code s} ({@link #snapshotFor}), prints {@code SNAPBEGIN s} before
 * and {@code SNAP s END} once {@code commit()} returned, then compacts through {@code s - }{@link
 * #TAIL} and prints {@code COMPACT <slot> END} once the next {@code sync()} returned. After
 * iteration {@code s} with {@code s % }{@link #INSTALL_EVERY}{@code == 0} (and {@code s} not a
 * multiple of {@link #IDENTITY_EVERY}) it does what an install does: commits the snapshot of
 * {@link #installedAfter}{@code (s)}, the next multiple of {@link #IDENTITY_EVERY}, compacts through
 * it, and the next iteration is that slot + 1 (so no slot that saves an identity is skipped). Work a kill interrupted is redone at the next start; a partial
 * snapshot is resumed, and its bytes must be a prefix of the expected ones (otherwise it prints {@code
 * RESUME-MISMATCH} and throws).
 *
 * <p>Usage: {@code CrashWriter <dir> <PROCESS|POWER>}. Runs until killed.
 */
public final class CrashWriter {
  static final int LOCAL_ORIGIN = 9;
  static final int IDENTITY_EVERY = 20;
  static final int SNAPSHOT_EVERY = 37;
  static final int TAIL = 10;
  static final int INSTALL_EVERY = 97;
  private static final int PIECE_BYTES = 4096;

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

  /** The bytes of the snapshot of {@code slot}: 1 KiB to about 1 MiB, fixed by the slot. */
  static byte[] snapshotFor(long slot) {
    byte[] bytes = new byte[1024 + (int) (slot * 7919 % (1 << 20))];
    new java.util.Random(slot).nextBytes(bytes);
    return bytes;
  }

  public static void main(String[] args) {
    Store store = ChronicleStore.open(Path.of(args[0]), config(Durability.valueOf(args[1])));
    StoredState state = store.load();
    System.out.println("OPEN " + state.chosenSlot());
    System.out.flush();
    long slot = state.chosenSlot();
    long round = state.promised().round() + 1;
    long snapshotSlot = state.snapshot() == null ? 0 : state.snapshot().slot();
    if (slot > 0) {
      slot = snapshots(store, slot, snapshotSlot, CrashWriter::say); // what a kill interrupted
    }
    slot++;
    while (true) {
      iterate(store, round, slot);
      say("ACK " + round + " " + slot + " END");
      slot = snapshots(store, slot, 0, CrashWriter::say) + 1;
      round++;
    }
  }

  private static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }

  /**
   * The snapshot work due after iteration {@code slot}, skipping what the store already holds
   * ({@code stored} is its newest snapshot's slot); what it acknowledges goes to {@code say}.
   * Returns the last slot now chosen.
   */
  static long snapshots(
      Store store, long slot, long stored, java.util.function.Consumer<String> say) {
    if (slot % SNAPSHOT_EVERY == 0) {
      if (stored < slot) {
        snapshot(store, slot, say);
      }
      if (slot > TAIL) {
        store.compactThrough(slot - TAIL);
        store.sync();
        say.accept("COMPACT " + (slot - TAIL) + " END");
      }
    }
    if (slot % INSTALL_EVERY == 0 && slot % IDENTITY_EVERY != 0) {
      long installed = installedAfter(slot);
      if (stored < installed) {
        snapshot(store, installed, say);
      }
      store.compactThrough(installed);
      store.sync();
      say.accept("COMPACT " + installed + " END");
      return installed;
    }
    return slot;
  }

  /** The slot of the snapshot installed after iteration {@code slot}. */
  static long installedAfter(long slot) {
    return (slot / IDENTITY_EVERY + 1) * IDENTITY_EVERY;
  }

  private static void snapshot(Store store, long slot, java.util.function.Consumer<String> say) {
    say.accept("SNAPBEGIN " + slot);
    byte[] bytes = snapshotFor(slot);
    dev.modpaxos.spi.SnapshotSink sink = store.openSnapshot(slot);
    int from = (int) sink.sizeBytes();
    java.util.zip.CRC32C prefix = new java.util.zip.CRC32C();
    prefix.update(bytes, 0, Math.min(from, bytes.length));
    if (from > bytes.length || sink.crc32c() != (int) prefix.getValue()) {
      say.accept("RESUME-MISMATCH slot " + slot + " at " + from);
      throw new IllegalStateException("the partial snapshot of slot " + slot + " is not a prefix"
          + " of its bytes (" + from + " bytes)");
    }
    if (from > 0) {
      say.accept("RESUMED " + slot + " " + from);
    }
    try {
      for (int off = from; off < bytes.length; off += PIECE_BYTES) {
        sink.stream().write(bytes, off, Math.min(PIECE_BYTES, bytes.length - off));
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    sink.commit();
    say.accept("SNAP " + slot + " END");
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
