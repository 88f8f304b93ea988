package dev.modpaxos.storage.chronicle;

import dev.modpaxos.protocol.Block;
import dev.modpaxos.spi.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chosen blocks, by slot, in a series of map files {@code chosen-<first slot>.cm}. A file
 * takes slots from its first slot until it holds {@code chosenBlocksPerFile} blocks or Chronicle
 * reports it full; then the next slot starts a new file. Only the newest file is open; older ones
 * are sealed (msynced and closed) and only read at load. Not thread-safe.
 */
final class ChosenFiles implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChosenFiles.class);
  private static final String PREFIX = "chosen-";
  private static final String SUFFIX = ".cm";

  private final Path dir;
  private final Layout layout;
  // The newest file, open for appends; null before the first block.
  private MapFile current;
  private long currentFirstSlot;
  // Invariant: the files hold exactly slots 1..lastSlot.
  private long lastSlot;
  // True when a file was created since the last sync (its directory entry is not yet durable).
  private boolean directoryDirty;
  // What load() had to give up: slots truncated away; whether only a torn tail; recovery reports.
  private long slotsDropped;
  private boolean tornTailOnly;
  private int corruptions;

  ChosenFiles(Path dir, Layout layout) {
    this.dir = dir;
    this.layout = layout;
  }

  /**
   * Opens the chosen-block files and reads every block, in slot order. The newest file is opened
   * with recovery when {@code recover}. Keeps the longest run of intact slots 1..n: a missing or
   * corrupt slot truncates the history there (docs/STORAGE.md, "Recovery"), counted in {@link
   * #slotsDropped()}. Call once, before any append.
   */
  List<Block> load(boolean recover) {
    List<Block> blocks = new ArrayList<>();
    List<Long> firsts = firstSlots();
    for (int i = 0; i < firsts.size(); i++) {
      long first = firsts.get(i);
      boolean newest = i == firsts.size() - 1;
      if (first != lastSlot + 1) {
        slotsDropped += dropFiles(firsts.subList(i, firsts.size()), "it does not follow slot " + lastSlot);
        break;
      }
      MapFile file = MapFile.open(fileFor(first), layout.chosenSizing(), recover && newest);
      corruptions += file.corruptions();
      current = file;
      currentFirstSlot = first;
      long kept = readRun(file, first, blocks);
      lastSlot = first + kept - 1;
      boolean gapToNext = !newest && firsts.get(i + 1) != lastSlot + 1;
      if (file.size() > kept || gapToNext) {
        // After a crash, a damaged record for the next slot alone is the write that was in flight.
        tornTailOnly = recover && newest && file.size() == kept + 1 && file.get(lastSlot + 1) != null;
        slotsDropped += truncate(file, lastSlot);
        slotsDropped += dropFiles(firsts.subList(i + 1, firsts.size()), "slot " + (lastSlot + 1) + " is lost");
        break;
      }
      if (!newest) {
        current = null;
        file.close();
      }
    }
    return blocks;
  }

  /** Chosen slots {@link #load} dropped because an earlier slot was missing or corrupt. */
  long slotsDropped() {
    return slotsDropped;
  }

  /**
   * True if load() dropped chosen slots that may have been acknowledged: anything beyond a single
   * damaged record at the tail after a crash (that one was being written, so never acknowledged).
   */
  boolean historyLost() {
    return slotsDropped > 0 && !tornTailOnly;
  }

  /** Corruptions Chronicle's recovery reported in the chosen-block files. */
  int corruptions() {
    return corruptions;
  }

  /** Reads slots first, first+1, ... until one is missing or corrupt; returns how many. */
  private static long readRun(MapFile file, long first, List<Block> into) {
    long slot = first;
    for (byte[] record = file.get(slot); record != null; record = file.get(slot)) {
      try {
        into.add(RecordCodec.readChosen(slot, record));
      } catch (CorruptRecordException e) {
        log.warn("{}: {}", file.file(), e.getMessage());
        break;
      }
      slot++;
    }
    return slot - first;
  }

  /** Removes every key above {@code lastKept} (or below the file's range); returns how many. */
  private long truncate(MapFile file, long lastKept) {
    long removed = 0;
    for (long key : file.keys()) {
      if (key > lastKept || key < currentFirstSlot) {
        file.remove(key);
        removed++;
      }
    }
    log.warn("{}: dropped {} chosen slots after slot {}", file.file(), removed, lastKept);
    return removed;
  }

  private long dropFiles(List<Long> firsts, String reason) {
    long dropped = 0;
    for (long first : firsts) {
      Path path = fileFor(first);
      try (MapFile file = MapFile.open(path, layout.chosenSizing(), false)) {
        dropped += file.size();
      } catch (StoreException e) {
        log.warn("{}: cannot count its blocks: {}", path, e.getMessage());
      }
      Disk.delete(path);
      log.warn("{}: deleted, {}", path, reason);
    }
    if (!firsts.isEmpty()) {
      Disk.syncDirectory(dir);
    }
    return dropped;
  }

  private List<Long> firstSlots() {
    try (Stream<Path> paths = Files.list(dir)) {
      return paths
          .map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(PREFIX) && n.endsWith(SUFFIX))
          .map(n -> Long.parseLong(n.substring(PREFIX.length(), n.length() - SUFFIX.length())))
          .sorted()
          .toList();
    } catch (IOException | NumberFormatException e) {
      throw new StoreException("cannot list chosen-block files in " + dir + ": " + e, e);
    }
  }

  private Path fileFor(long firstSlot) {
    return dir.resolve(String.format("%s%019d%s", PREFIX, firstSlot, SUFFIX));
  }

  long lastSlot() {
    return lastSlot;
  }

  /** Appends the block of {@code slot}, which must be {@code lastSlot() + 1}. */
  void append(long slot, Block block) {
    if (slot != lastSlot + 1) {
      throw new StoreException(
          "chosen slot " + slot + " out of order: the next slot is " + (lastSlot + 1));
    }
    byte[] record = RecordCodec.chosen(slot, block);
    try {
      putOrRoll(slot, record);
    } catch (StoreException e) {
      throw new StoreException("cannot store the block of slot " + slot + ": " + e.getMessage(), e);
    }
    lastSlot = slot;
  }

  private void putOrRoll(long slot, byte[] record) {
    if (current == null || slot - currentFirstSlot >= layout.chosenBlocksPerFile()) {
      roll(slot);
    }
    try {
      current.put(slot, record);
    } catch (MapFile.FullException full) {
      if (slot == currentFirstSlot) {
        throw tooLarge(record, full);
      }
      roll(slot);
      try {
        current.put(slot, record);
      } catch (MapFile.FullException again) {
        throw tooLarge(record, again);
      }
    }
  }

  private static StoreException tooLarge(byte[] record, RuntimeException cause) {
    return new StoreException(
        "the block (" + record.length + " bytes) does not fit in an empty"
            + " chosen-block file; create the store with a larger averageBlockBytes",
        cause);
  }

  /** Seals the current file and starts a new one at {@code firstSlot}. */
  private void roll(long firstSlot) {
    Path next = fileFor(firstSlot);
    if (Files.exists(next)) {
      throw new StoreException("cannot start " + next + ": it already exists");
    }
    if (current != null) {
      current.msyncIfDirty();
      current.close();
      current = null;
    }
    current = MapFile.open(next, layout.chosenSizing(), false);
    currentFirstSlot = firstSlot;
    directoryDirty = true;
    log.debug("started {}", next);
  }

  /** Makes appended blocks survive power loss: msync, and fsync the directory after a roll. */
  void msync() {
    if (current != null) {
      current.msyncIfDirty();
    }
    if (directoryDirty) {
      Disk.syncDirectory(dir);
      directoryDirty = false;
    }
  }

  /** Closes the open file without msync. Idempotent. */
  @Override
  public void close() {
    if (current != null) {
      current.close();
    }
  }
}
