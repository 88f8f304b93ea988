package dev.modpaxos.storage.chronicle;

import dev.modpaxos.spi.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.openhft.chronicle.hash.ChronicleHashCorruption;
import net.openhft.chronicle.hash.impl.VanillaChronicleHash;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One persisted Chronicle Map from {@code long} keys to byte-array records: the only class that
 * touches Chronicle Map. Not thread-safe.
 *
 * <p>Maps have one segment: the store has one writer, and one segment lets a single value use
 * nearly the whole file, so large blocks fit. Files are sparse. Chronicle's own entry checksums
 * are off: every record carries the store's CRC32C ({@code RecordCodec}), and with Chronicle's
 * checksums on, its recovery would silently delete a damaged record that the store must see to
 * report it as lost.
 */
final class MapFile implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MapFile.class);

  /** How a map file is sized; fixed when the file is created (Chronicle cannot grow it). */
  record Sizing(String name, long entries, double averageValueBytes, double maxBloatFactor) {}

  /** The map has no room left for a record (Chronicle's capacity IllegalStateException). */
  static final class FullException extends RuntimeException {
    FullException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Recovery reports that only repair bookkeeping (a lock held by the killed process, free-space
   * and entry counters, tier indexes): no entry is lost. Every other report may concern an entry;
   * the store's own checks (AcceptorFile, ChosenFiles) decide whether acknowledged state was lost.
   */
  private static final List<String> BOOKKEEPING_REPORTS =
      List.of(
          "lock of segment",
          "wrong lowest free chunk",
          "wrong number of entries counter",
          "wrong first free tier index",
          "wrong number of actual tiers",
          "stored tier in first tier",
          "stored segment index in first tier",
          "stored prev tier index in first tier",
          "wrong segment index stored in tier counters");

  /** Suffix of a map file still being initialised; such a file is never opened. */
  static final String CREATING_SUFFIX = ".creating";

  private final Path file;
  private final ChronicleMap<Long, byte[]> map;
  private final int corruptions;
  // True when written since the last msync.
  private boolean dirty;
  private boolean closed;

  private MapFile(Path file, ChronicleMap<Long, byte[]> map, int corruptions) {
    this.file = file;
    this.map = map;
    this.corruptions = corruptions;
  }

  /**
   * Opens {@code file}, creating it if absent. With {@code recover}, an existing file is opened
   * with Chronicle's recovery (after an unclean shutdown: releases held segment locks, repairs
   * its bookkeeping); the caller must hold the directory exclusively.
   */
  static MapFile open(Path file, Sizing sizing, boolean recover) {
    return open(file, sizing, recover, Map.of());
  }

  /**
   * As {@link #open(Path, Sizing, boolean)}; a file that does not exist yet is created holding
   * {@code initialRecords}, durably, before it appears under its name.
   */
  static MapFile open(Path file, Sizing sizing, boolean recover, Map<Long, byte[]> initialRecords) {
    ChronicleMapBuilder<Long, byte[]> builder =
        ChronicleMapBuilder.of(Long.class, byte[].class)
            .name(sizing.name())
            .entries(sizing.entries())
            .averageValueSize(sizing.averageValueBytes())
            .maxBloatFactor(sizing.maxBloatFactor())
            .actualSegments(1)
            .checksumEntries(false)
            .sparseFile(true);
    int[] reports = {0};
    try {
      ChronicleMap<Long, byte[]> map;
      if (recover && Files.exists(file)) {
        map =
            builder.recoverPersistedTo(
                file.toFile(),
                true,
                c -> {
                  reports[0]++;
                  if (isBookkeeping(c.message())) {
                    log.info("recovery of {} repaired: {}", file, describe(c));
                  } else {
                    log.warn("recovery of {} dropped or fixed an entry: {}", file, describe(c));
                  }
                });
      } else if (Files.exists(file)) {
        map = builder.createPersistedTo(file.toFile());
      } else {
        map = createAtomically(builder, file, initialRecords);
      }
      return new MapFile(file, map, reports[0]);
    } catch (IOException | RuntimeException e) {
      throw new StoreException("cannot open map file " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Creates a new map file under a temporary name, writes {@code initialRecords} into it and
   * renames it into place once its header and those records are on disk. A process killed while
   * Chronicle initialises a file would otherwise leave a half-written header under the real name,
   * and the next open waits 60 s for it to become ready and then fails. Leftover temporary files
   * are ignored and replaced.
   */
  private static ChronicleMap<Long, byte[]> createAtomically(
      ChronicleMapBuilder<Long, byte[]> builder, Path file, Map<Long, byte[]> initialRecords)
      throws IOException {
    Path creating = file.resolveSibling(file.getFileName() + CREATING_SUFFIX);
    Files.deleteIfExists(creating);
    ChronicleMap<Long, byte[]> map = builder.createPersistedTo(creating.toFile());
    try {
      map.putAll(initialRecords);
      if (map instanceof VanillaChronicleHash<?, ?, ?, ?> hash) {
        hash.msync();
      }
      Files.move(creating, file, StandardCopyOption.ATOMIC_MOVE);
      Disk.syncDirectory(file.getParent());
    } catch (IOException | RuntimeException e) {
      map.close();
      throw e;
    }
    return map;
  }

  private static String describe(ChronicleHashCorruption c) {
    return "segment " + c.segmentIndex() + ": " + c.message()
        + (c.exception() != null ? " (" + c.exception() + ")" : "");
  }

  /** True if {@code dir} holds a map file (a {@code *.cm} file). */
  static boolean anyIn(Path dir) {
    try (java.util.stream.Stream<Path> paths = Files.list(dir)) {
      return paths.anyMatch(p -> p.getFileName().toString().endsWith(".cm"));
    } catch (IOException e) {
      throw new StoreException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  static boolean isBookkeeping(String message) {
    String m = message == null ? "" : message.toLowerCase(java.util.Locale.ROOT);
    return BOOKKEEPING_REPORTS.stream().anyMatch(m::startsWith);
  }

  /** How many corruptions Chronicle's recovery reported when this file was opened. */
  int corruptions() {
    return corruptions;
  }

  Path file() {
    return file;
  }

  byte[] get(long key) {
    try {
      return map.get(key);
    } catch (RuntimeException e) {
      throw failure("read key " + key, e);
    }
  }

  /**
   * Stores {@code record} under {@code key}, replacing any previous value.
   *
   * @throws FullException if the map has no room left; the map is unchanged and still usable
   * @throws StoreException if the record can never fit in this file, or on any other failure
   */
  void put(long key, byte[] record) {
    dirty = true;
    try {
      map.put(key, record);
    } catch (IllegalStateException e) {
      throw new FullException(file + " is full: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new StoreException(
          "record of " + record.length + " bytes does not fit in " + file
              + " (about " + largestValueBytes() + " bytes at most); raise the average size in"
              + " ChronicleStoreConfig for new store directories",
          e);
    } catch (RuntimeException e) {
      throw failure("write key " + key, e);
    }
  }

  void remove(long key) {
    dirty = true;
    try {
      map.remove(key);
    } catch (RuntimeException e) {
      throw failure("remove key " + key, e);
    }
  }

  long size() {
    return map.longSize();
  }

  /** Every record, ordered by key. Reads the whole file. */
  TreeMap<Long, byte[]> readAll() {
    TreeMap<Long, byte[]> all = new TreeMap<>();
    try {
      for (Map.Entry<Long, byte[]> e : map.entrySet()) {
        all.put(e.getKey(), e.getValue());
      }
    } catch (RuntimeException e) {
      throw failure("read all records", e);
    }
    return all;
  }

  List<Long> keys() {
    try {
      return new ArrayList<>(map.keySet());
    } catch (RuntimeException e) {
      throw failure("read keys", e);
    }
  }

  /** msyncs the file if it was written since the last msync; returns when the disk has it. */
  void msyncIfDirty() {
    if (dirty) {
      msync();
    }
  }

  /**
   * msyncs the file whoever wrote it: also pages a killed process left dirty in the page cache,
   * and what Chronicle's recovery repaired. Returns when the disk has it.
   */
  void msync() {
    if (!(map instanceof VanillaChronicleHash<?, ?, ?, ?> hash)) {
      throw new StoreException("cannot msync " + file + ": unexpected map class " + map.getClass());
    }
    try {
      hash.msync();
    } catch (RuntimeException e) {
      throw failure("msync", e);
    }
    dirty = false;
  }

  /** The largest record this file can take, as Chronicle sized it (approximate). */
  long largestValueBytes() {
    if (map instanceof VanillaChronicleHash<?, ?, ?, ?> hash) {
      return hash.chunkSize * hash.maxChunksPerEntry;
    }
    return -1;
  }

  /** Closes the map without msync. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      map.close();
    } catch (RuntimeException e) {
      throw failure("close", e);
    }
  }

  private StoreException failure(String what, RuntimeException e) {
    return new StoreException("cannot " + what + " in " + file + ": " + e.getMessage(), e);
  }
}
