package dev.modpaxos.storage.chronicle;

import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.SlotBlock;
import dev.modpaxos.spi.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chosen blocks, by slot, in a series of map files {@code chosen-<first slot>.cm}. A file
 * takes slots from its first slot until it holds {@code chosenBlocksPerFile} blocks or Chronicle
 * reports it full; then the next slot starts a new file. Only the newest file is open; older ones
 * are sealed (msynced and closed) and only read at load. Not thread-safe.
 *
 * <p>Opening is two steps, so that the store can record what it found before it changes
 * anything: {@link #scan} reads every file and changes nothing; {@link #repair} then drops what
 * follows the gap-free run.
 *
 * <p><b>Compaction (R20).</b> {@link #compactThrough} deletes every file whose slots all lie at or
 * below the compaction point; a file that straddles it keeps its older slots until the point
 * passes its end. {@link #scan} does not even open a file below the point, so opening takes time
 * in proportion to the blocks after it, not to the history.
 */
final class ChosenFiles implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChosenFiles.class);
  private static final String PREFIX = "chosen-";
  private static final String SUFFIX = ".cm";

  /**
   * What {@link #scan} found.
   *
   * @param from the slot the run follows: the compaction point, or the snapshot's slot when the
   *     blocks after the compaction point do not reach it (R20)
   * @param blocks the gap-free run: slots {@code from + 1 .. from + blocks.size()}
   * @param watermark the highest synced watermark of any intact record: every slot up to it was
   *     durable before some record that survived was written, so it was acknowledged
   * @param dropped slots present above the run (intact or damaged), which {@link #repair}
   *     removes
   * @param beyondGap slots present above the first missing or damaged one
   * @param gapDamaged true if the first slot after the prefix is present but damaged
   * @param ahead the intact blocks above the first missing or damaged slot, in slot order: the
   *     store reports them (R16), so only the damaged record is set aside, though {@link #repair}
   *     removes them from the files
   */
  record Scan(
      long from, List<Block> blocks, long watermark, long dropped, long beyondGap,
      boolean gapDamaged, List<SlotBlock> ahead) {
    /** The last slot of the run. */
    long lastSlot() {
      return from + blocks.size();
    }
  }

  private final Path dir;
  private final Layout layout;
  // The newest file, open for appends; null before the first block.
  private MapFile current;
  private long currentFirstSlot;
  // Invariant (after repair): the files hold every slot from the compaction point + 1 to
  // lastSlot, none above it, and perhaps some at or below the point.
  private long lastSlot;
  // The first slot of every file in the directory (after repair), ascending.
  private final TreeSet<Long> files = new TreeSet<>();
  // Invariant: every slot up to syncedSlot is durable; written into each record (RecordCodec).
  private long syncedSlot;
  // True when a file was created since the last sync (its directory entry is not yet durable).
  private boolean directoryDirty;
  // Between scan() and repair(): the first slot of every file, the newest file (still open), and
  // keys outside their file's slot range.
  private final List<Long> scannedFirsts = new ArrayList<>();
  private final List<Long> compactedFirsts = new ArrayList<>();
  private MapFile newest;
  // POWER mode: the store's journal, attached to every file appended to (null: none).
  private Journal journal;
  private final TreeMap<Long, List<Long>> junkKeys = new TreeMap<>();
  private int corruptions;

  ChosenFiles(Path dir, Layout layout) {
    this.dir = dir;
    this.layout = layout;
  }

  /**
   * Opens the chosen-block files and reads every record above {@code floor}, the compaction point,
   * in slot order; changes nothing. A file whose slots all lie at or below {@code floor} is not
   * opened. The run starts after {@code floor}, or after {@code snapshotSlot} if it does not reach
   * it. The newest file is opened with recovery when {@code recover}. Call once, then {@link
   * #repair}.
   */
  Scan scan(boolean recover, long floor, long snapshotSlot) {
    List<Long> firsts = firstSlots();
    TreeMap<Long, Block> intact = new TreeMap<>();
    TreeSet<Long> damaged = new TreeSet<>();
    long watermark = 0;
    for (int i = 0; i < firsts.size(); i++) {
      long first = firsts.get(i);
      long end = i + 1 < firsts.size() ? firsts.get(i + 1) : Long.MAX_VALUE;
      boolean isNewest = i == firsts.size() - 1;
      if (end - 1 <= floor) {
        compactedFirsts.add(first); // R20: compacted, and deleted by repair()
        continue;
      }
      scannedFirsts.add(first);
      MapFile file = MapFile.open(fileFor(first), layout.chosenSizing(), recover && isNewest);
      try {
        corruptions += file.corruptions();
        for (Map.Entry<Long, byte[]> r : file.readAll().entrySet()) {
          long slot = r.getKey();
          if (slot < first || slot >= end) {
            junkKeys.computeIfAbsent(first, k -> new ArrayList<>()).add(slot);
            continue;
          }
          try {
            RecordCodec.Watermarked<Block> w = RecordCodec.readChosen(slot, r.getValue());
            intact.put(slot, w.value());
            watermark = Math.max(watermark, w.synced());
          } catch (CorruptRecordException e) {
            log.warn("{}: {}", file.file(), e.getMessage());
            damaged.add(slot);
          }
        }
      } finally {
        if (isNewest) {
          newest = file;
        } else {
          file.close();
        }
      }
    }
    long from = floor;
    List<Block> run = run(intact, from);
    if (from + run.size() < snapshotSlot) {
      from = snapshotSlot; // an installed snapshot whose compaction did not happen (R20)
      run = run(intact, from);
    }
    long n = from + run.size();
    long dropped = intact.tailMap(n, false).size() + damaged.tailSet(n, false).size();
    long beyond = intact.tailMap(n + 1, false).size() + damaged.tailSet(n + 1, false).size();
    lastSlot = n;
    List<SlotBlock> ahead = new ArrayList<>();
    intact.tailMap(n + 1, false).forEach((slot, b) -> ahead.add(new SlotBlock(slot, b)));
    return new Scan(from, run, watermark, dropped, beyond, damaged.contains(n + 1), ahead);
  }

  private static List<Block> run(TreeMap<Long, Block> intact, long after) {
    List<Block> run = new ArrayList<>();
    for (long slot = after + 1; intact.containsKey(slot); slot++) {
      run.add(intact.get(slot));
    }
    return run;
  }

  /**
   * Drops every slot above the scanned run: keys above it are removed, files that start above
   * it are deleted, and the file the next slot belongs to stays open for appends. Deletes the
   * files below the compaction point a crash left. Call once, after {@link #scan} and after the
   * store recorded any loss.
   */
  void repair() {
    for (long first : compactedFirsts) {
      Disk.delete(fileFor(first));
      log.info("{}: deleted, compacted", fileFor(first));
      directoryDirty = true;
    }
    compactedFirsts.clear();
    Long keep = null; // the file the next slot goes to: the last one starting at or before it
    for (long first : scannedFirsts) {
      if (first <= lastSlot + 1) {
        keep = first;
      }
    }
    long newestFirst = scannedFirsts.isEmpty() ? -1 : scannedFirsts.get(scannedFirsts.size() - 1);
    for (long first : scannedFirsts) {
      if (keep == null || first > keep) {
        if (first == newestFirst) {
          newest.close();
          newest = null;
        }
        Disk.delete(fileFor(first));
        log.warn("{}: deleted, slot {} is missing", fileFor(first), lastSlot + 1);
        directoryDirty = true;
        continue;
      }
      files.add(first);
      List<Long> junk = junkKeys.getOrDefault(first, List.of());
      if (first != keep && junk.isEmpty()) {
        continue;
      }
      MapFile file =
          first == newestFirst ? newest : MapFile.open(fileFor(first), layout.chosenSizing(), false);
      List<Long> doomed = new ArrayList<>(junk);
      if (first == keep) {
        for (long key : file.keys()) {
          if (key > lastSlot && !junk.contains(key)) {
            doomed.add(key);
          }
        }
      }
      for (long key : doomed) {
        file.remove(key);
      }
      if (!doomed.isEmpty()) {
        log.warn("{}: dropped {} chosen slots after slot {}", file.file(), doomed.size(), lastSlot);
      }
      if (first == keep) {
        current = file;
        currentFirstSlot = first;
      } else {
        file.msync(); // sealed files stay durable as they were
        file.close();
      }
    }
    if (newest != null && newest != current) {
      newest.close();
    }
    newest = null;
    scannedFirsts.clear();
    junkKeys.clear();
    if (directoryDirty) {
      Disk.syncDirectory(dir);
      directoryDirty = false;
    }
  }

  /** Corruptions Chronicle's recovery reported in the chosen-block files. */
  int corruptions() {
    return corruptions;
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

  /** True if {@code dir} holds any chosen-block file. */
  static boolean anyIn(Path dir) {
    try (Stream<Path> paths = Files.list(dir)) {
      return paths.map(p -> p.getFileName().toString())
          .anyMatch(n -> n.startsWith(PREFIX) && n.endsWith(SUFFIX));
    } catch (IOException e) {
      throw new StoreException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  private Path fileFor(long firstSlot) {
    return dir.resolve(String.format("%s%019d%s", PREFIX, firstSlot, SUFFIX));
  }

  long lastSlot() {
    return lastSlot;
  }

  /** The number of chosen-block files. */
  int fileCount() {
    return files.size();
  }

  /** Appends the block of {@code slot}, which must be {@code lastSlot() + 1}. */
  void append(long slot, Block block) {
    if (slot != lastSlot + 1) {
      throw new StoreException(
          "chosen slot " + slot + " out of order: the next slot is " + (lastSlot + 1));
    }
    byte[] record = RecordCodec.chosen(slot, syncedSlot, block);
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
    current.journalTo(journal);
    currentFirstSlot = firstSlot;
    files.add(firstSlot);
    directoryDirty = true;
    log.debug("started {}", next);
  }

  /**
   * R20: deletes every file whose slots all lie at or below {@code slot} (the newest holds up to
   * {@link #lastSlot()}); the next slot appended is above {@code slot}. The store made the
   * compaction point durable first, so a crash that keeps a deleted file changes nothing.
   * Returns how many files were deleted.
   */
  int compactThrough(long slot) {
    List<Long> doomed = new ArrayList<>();
    for (long first : files) {
      Long next = files.higher(first);
      if ((next == null ? lastSlot : next - 1) <= slot) {
        doomed.add(first);
      }
    }
    for (long first : doomed) {
      if (current != null && first == currentFirstSlot) {
        current.close(); // all its slots are compacted: the next slot starts a new file
        current = null;
      }
      Disk.delete(fileFor(first));
      files.remove(first);
      directoryDirty = true;
    }
    lastSlot = Math.max(lastSlot, slot);
    return doomed.size();
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

  /** POWER mode: every later append is also recorded in {@code journal} (ChronicleStore#sync). */
  void journalTo(Journal journal) {
    this.journal = journal;
    if (current != null) {
      current.journalTo(journal);
    }
  }

  /** msyncs the open file whoever wrote it (after recovery and repair at open). */
  void msyncOpened() {
    if (current != null) {
      current.msync();
    }
  }

  /** Every slot appended so far is durable now; later records carry that watermark. */
  void markSynced() {
    syncedSlot = lastSlot;
  }

  /** Closes the open file without msync. Idempotent. */
  @Override
  public void close() {
    if (current != null) {
      current.close();
    }
    if (newest != null) {
      newest.close();
    }
  }
}
