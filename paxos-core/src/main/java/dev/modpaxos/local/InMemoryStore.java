package dev.modpaxos.local;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.EntryId;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.protocol.SlotBlock;
import dev.modpaxos.spi.StateLoss;
import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.StoreException;
import dev.modpaxos.spi.StoreIdentity;
import dev.modpaxos.spi.StoredState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.IntPredicate;

/**
 * A {@link Store} in memory, for tests, the simulator and the embedded mode. Thread-safe
 * (synchronized). Survives a node restart within one JVM: {@link #close()} then {@link #load()}.
 *
 * <p>It models the durability contract exactly: writes are staged, {@link #sync()} makes them
 * durable, and {@link #crash(IntPredicate)} keeps any chosen subset of the unsynced writes, as a
 * real crash may. {@link #lose} and {@link #wipe()} model damaged and emptied disks (R16).
 */
public final class InMemoryStore implements Store {
  private static final class State {
    StoreIdentity identity;
    Ballot promised = Ballot.ZERO;
    // Votes by slot; the VOTES_KEPT highest are kept (Store#saveAccepted).
    final TreeMap<Long, Proposal> accepted = new TreeMap<>();
    // By slot; a crash may keep a later slot and lose an earlier one, so load() takes the prefix.
    final TreeMap<Long, Block> chosen = new TreeMap<>();
    final LinkedHashMap<EntryId, Entry> local = new LinkedHashMap<>();
    // Set by lose(); cleared by a synced saveIdentity (Store contract, R16).
    final EnumSet<StateLoss> losses = EnumSet.noneOf(StateLoss.class);
    // R20: blocks up to this slot were dropped; a committed snapshot covers them.
    long compacted;
    // R15: the id floor.
    dev.modpaxos.spi.IdFloor idFloor = dev.modpaxos.spi.IdFloor.NONE;
  }

  // R20: the newest committed snapshot (durable at once: commit is atomic), and partial ones.
  private InMemorySnapshot snapshot;
  private final TreeMap<Long, java.io.ByteArrayOutputStream> partial = new TreeMap<>();
  private long snapshotsCommitted;

  private final State durable = new State();
  private final List<Consumer<State>> unsynced = new ArrayList<>();
  // The last chosen slot written (synced or not); the next must follow it (Store contract).
  private long lastChosenWritten;
  private long syncs;
  // The end of the gap-free synced chosen run just before the last crash; MAX_VALUE before one.
  private long syncedChosenAtCrash = Long.MAX_VALUE;

  @Override
  public synchronized StoredState load() {
    unsynced.clear();
    long from = snapshot == null ? 0 : durable.compacted;
    List<Block> prefix = run(from);
    if (snapshot != null && snapshot.slot() > from + prefix.size()) {
      from = snapshot.slot(); // a crash right after an install: the run starts after it
      prefix = run(from);
    }
    lastChosenWritten = from + prefix.size();
    // Blocks above a gap are handed over (StoredState.chosenAhead) and stay until appends from
    // the cut write them again; ChronicleStore removes them from its files instead.
    List<SlotBlock> ahead = new ArrayList<>();
    durable.chosen.tailMap(lastChosenWritten + 1, false)
        .forEach((slot, b) -> ahead.add(new SlotBlock(slot, b)));
    return new StoredState(
        durable.identity,
        durable.promised,
        new ArrayList<>(durable.accepted.values()),
        prefix,
        new ArrayList<>(durable.local.values()),
        durable.losses,
        from,
        snapshot,
        ahead,
        durable.idFloor);
  }

  /**
   * {@return the last slot of the gap-free chosen run (or the snapshot) that was synced just
   * before the last {@link #crash}, or {@code Long.MAX_VALUE} if there was none: a crash may
   * lose chosen blocks written after it, which were never synced (R15)}
   */
  public synchronized long syncedChosenAtLastCrash() {
    return syncedChosenAtCrash;
  }

  private long syncedChosenSlot() {
    long from = snapshot == null ? 0 : durable.compacted;
    long end = from + run(from).size();
    return snapshot == null ? end : Math.max(end, snapshot.slot());
  }

  private List<Block> run(long after) {
    List<Block> blocks = new ArrayList<>();
    for (long slot = after + 1; durable.chosen.containsKey(slot); slot++) {
      blocks.add(durable.chosen.get(slot));
    }
    return blocks;
  }

  @Override
  public boolean supportsSnapshots() {
    return true;
  }

  @Override
  public synchronized dev.modpaxos.spi.SnapshotSink openSnapshot(long slot) {
    partial.headMap(slot, false).clear();
    partial.tailMap(slot, false).clear();
    java.io.ByteArrayOutputStream bytes =
        partial.computeIfAbsent(slot, k -> new java.io.ByteArrayOutputStream());
    return new Sink(slot, bytes);
  }

  @Override
  public synchronized void compactThrough(long slot) {
    if (snapshot == null || snapshot.slot() < slot) {
      throw new StoreException(
          "cannot compact through slot " + slot + ": no snapshot covers it (newest: "
              + (snapshot == null ? "none" : snapshot.slot()) + ")");
    }
    lastChosenWritten = Math.max(lastChosenWritten, slot); // after an install, slot + 1 is next
    unsynced.add(
        s -> {
          s.chosen.headMap(slot, true).clear();
          s.compacted = Math.max(s.compacted, slot);
        });
  }

  /** {@return snapshots committed so far} */
  public synchronized long snapshotsCommitted() {
    return snapshotsCommitted;
  }

  /** A snapshot being written; its bytes survive a simulated crash, as a partial file would. */
  private final class Sink implements dev.modpaxos.spi.SnapshotSink {
    private final long slot;
    private final java.io.ByteArrayOutputStream bytes;
    private final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    private boolean done;
    private final java.io.OutputStream stream =
        new java.io.OutputStream() {
          @Override
          public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] b, int off, int len) {
            synchronized (InMemoryStore.this) {
              if (done) {
                throw new StoreException("snapshot of slot " + slot + " is already closed");
              }
              bytes.write(b, off, len);
              crc.update(b, off, len);
            }
          }
        };

    Sink(long slot, java.io.ByteArrayOutputStream bytes) {
      this.slot = slot;
      this.bytes = bytes;
      byte[] resumed = bytes.toByteArray();
      crc.update(resumed, 0, resumed.length);
    }

    @Override
    public long slot() {
      return slot;
    }

    @Override
    public long sizeBytes() {
      synchronized (InMemoryStore.this) {
        return bytes.size();
      }
    }

    @Override
    public int crc32c() {
      synchronized (InMemoryStore.this) {
        return (int) crc.getValue();
      }
    }

    @Override
    public java.io.OutputStream stream() {
      return stream;
    }

    @Override
    public dev.modpaxos.spi.StoredSnapshot commit() {
      synchronized (InMemoryStore.this) {
        done = true;
        partial.remove(slot, bytes);
        InMemorySnapshot s = new InMemorySnapshot(slot, bytes.toByteArray());
        if (snapshot == null || snapshot.slot() < slot) {
          snapshot = s;
        }
        snapshotsCommitted++;
        return s;
      }
    }

    @Override
    public void abort() {
      synchronized (InMemoryStore.this) {
        done = true;
        partial.remove(slot, bytes);
      }
    }
  }

  /** A committed snapshot: immutable bytes. */
  private record InMemorySnapshot(long slot, byte[] bytes) implements dev.modpaxos.spi.StoredSnapshot {
    @Override
    public long sizeBytes() {
      return bytes.length;
    }

    @Override
    public int crc32c() {
      java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
      crc.update(bytes, 0, bytes.length);
      return (int) crc.getValue();
    }

    @Override
    public byte[] read(long offset, int max) {
      int from = (int) offset;
      return java.util.Arrays.copyOfRange(bytes, from, (int) Math.min(bytes.length, from + (long) max));
    }

    @Override
    public java.io.InputStream open() {
      return new java.io.ByteArrayInputStream(bytes);
    }
  }

  @Override
  public synchronized void saveIdentity(StoreIdentity identity) {
    unsynced.add(
        s -> {
          s.identity = identity;
          s.losses.clear();
        });
  }

  @Override
  public boolean keepsIdFloor() {
    return true;
  }

  @Override
  public synchronized void saveIdFloor(dev.modpaxos.spi.IdFloor floor) {
    java.util.Objects.requireNonNull(floor, "floor");
    unsynced.add(s -> s.idFloor = floor);
  }

  @Override
  public synchronized void savePromised(Ballot promised) {
    unsynced.add(s -> s.promised = promised);
  }

  @Override
  public synchronized void saveAccepted(Proposal accepted) {
    unsynced.add(
        s -> {
          s.accepted.put(accepted.slot(), accepted);
          long keepAbove = s.accepted.lastKey() - ReplicaConfig.VOTES_KEPT;
          s.accepted.headMap(keepAbove, true).clear();
        });
  }

  @Override
  public synchronized void saveChosen(SlotBlock chosen) {
    if (chosen.slot() != lastChosenWritten + 1) {
      throw new StoreException(
          "chosen slot " + chosen.slot() + " out of order after " + lastChosenWritten);
    }
    lastChosenWritten = chosen.slot();
    unsynced.add(s -> s.chosen.put(chosen.slot(), chosen.block()));
  }

  @Override
  public synchronized void appendLocal(Entry entry) {
    unsynced.add(s -> s.local.put(entry.id(), entry));
  }

  @Override
  public synchronized void removeLocal(Collection<EntryId> ids) {
    Set<EntryId> copy = Set.copyOf(ids);
    unsynced.add(s -> s.local.keySet().removeAll(copy));
  }

  @Override
  public synchronized void sync() {
    for (Consumer<State> w : unsynced) {
      w.accept(durable);
    }
    unsynced.clear();
    syncs++;
  }

  /**
   * Simulates a crash: unsynced write {@code i} (in write order) reaches the disk iff {@code
   * keep.test(i)}; the rest are lost. Returns how many writes were lost.
   *
   * @param keep decides, by write index, which unsynced writes survive
   * @return how many unsynced writes were lost
   */
  public synchronized int crash(IntPredicate keep) {
    syncedChosenAtCrash = syncedChosenSlot();
    int lost = 0;
    for (int i = 0; i < unsynced.size(); i++) {
      if (keep.test(i)) {
        unsynced.get(i).accept(durable);
      } else {
        lost++;
      }
    }
    unsynced.clear();
    return lost;
  }

  /**
   * Simulates a crash that loses every unsynced write.
   *
   * @return how many unsynced writes were lost
   */
  public synchronized int crash() {
    return crash(i -> false);
  }

  /**
   * Simulates a damaged disk (unsynced writes are dropped too), reported by every later {@link
   * #load()} until an identity is saved and synced:
   *
   * <ul>
   *   <li>{@link StateLoss#ACCEPTOR_STATE}: the promise and the votes are wiped;
   *   <li>{@link StateLoss#CHOSEN_BLOCKS}: a random non-empty suffix of the chosen blocks is lost, or (as a damaged record) one slot, and the blocks above it are handed over in {@link StoredState#chosenAhead()};
   *   <li>{@link StateLoss#LOCAL_ENTRIES}: a random subset of the local log is lost;
   *   <li>{@link StateLoss#UNSYNCED_WRITES}: nothing visible is lost, only reported.
   * </ul>
   *
   * @param what the kind of state to lose
   * @param random picks what a partial loss takes
   */
  public synchronized void lose(StateLoss what, SplittableRandom random) {
    unsynced.clear();
    switch (what) {
      case ACCEPTOR_STATE -> {
        durable.promised = Ballot.ZERO;
        durable.accepted.clear();
      }
      case CHOSEN_BLOCKS -> {
        if (!durable.chosen.isEmpty()) {
          long keep = random.nextLong(durable.chosen.lastKey());
          if ((keep & 1) == 0) {
            durable.chosen.tailMap(keep, false).clear(); // the tail is gone
          } else {
            durable.chosen.remove(keep + 1); // one damaged record; the blocks above it survive
          }
        }
      }
      case LOCAL_ENTRIES -> durable.local.values().removeIf(e -> random.nextBoolean());
      case UNSYNCED_WRITES -> { }
    }
    durable.losses.add(what);
  }

  /** Simulates an emptied data directory: nothing is left, and nothing says anything was lost. */
  public synchronized void wipe() {
    unsynced.clear();
    durable.identity = null;
    durable.promised = Ballot.ZERO;
    durable.accepted.clear();
    durable.chosen.clear();
    durable.local.clear();
    durable.losses.clear();
    durable.compacted = 0;
    durable.idFloor = dev.modpaxos.spi.IdFloor.NONE;
    snapshot = null;
    partial.clear();
  }

  /** {@return what {@link #load()} would report lost now} */
  public synchronized Set<StateLoss> losses() {
    return Set.copyOf(durable.losses);
  }

  /** {@return the durable identity, or null} */
  public synchronized StoreIdentity identity() {
    return durable.identity;
  }

  /** {@return the writes made since the last sync, which a crash may lose} */
  public synchronized int unsyncedWrites() {
    return unsynced.size();
  }

  /** {@return how many times {@link #sync()} ran} */
  public synchronized long syncs() {
    return syncs;
  }

  /** {@return chosen blocks that are durable, the gap-free prefix} */
  public synchronized List<Block> durableChosen() {
    return load().chosen();
  }

  @Override
  public synchronized void close() {
    sync();
  }
}
