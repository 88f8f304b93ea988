package dev.modpaxos.storage.chronicle;

import dev.modpaxos.spi.StoreException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.openhft.chronicle.hash.ChronicleHashCorruption;
import net.openhft.chronicle.core.OS;
import net.openhft.chronicle.hash.impl.VanillaChronicleHash;
import net.openhft.chronicle.hash.impl.util.jna.PosixFallocate;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One persisted Chronicle Map from {@code long} keys to byte-array records: the only class that
 * touches Chronicle Map. Not thread-safe.
 *
 * <p>Maps have one segment: the store has one writer, and one segment lets a single value use
 * nearly the whole file, so large blocks fit. Chronicle's own entry checksums are off: every
 * record carries the store's CRC32C ({@code RecordCodec}), and with Chronicle's checksums on, its
 * recovery would silently delete a damaged record that the store must see to report it as lost.
 *
 * <p><b>Full disks and I/O errors.</b> Files are preallocated ({@code posix_fallocate}, on Linux):
 * Chronicle creates them sparse, with its usual sizing, and every byte of a new file is allocated
 * before its first record is written; an existing file is preallocated again before it is opened
 * (a directory written before files were preallocated has sparse ones), and a file Chronicle grew
 * is preallocated after the write that grew it. A write into a mapping then never meets a page the
 * file system has no room for, which would raise SIGBUS: the JVM reports that as an {@code
 * InternalError} at some later instruction, possibly after the faulting write "returned". A full
 * disk is instead a {@code StoreIoException} when a file is created. Chronicle's msync ignores
 * the result of {@code msync(2)}, so {@link #msync} fsyncs the file through a descriptor opened
 * before any write, which reports every write-back error since. Every I/O failure, and an {@code
 * InternalError} from an unsafe memory access, is a {@link StoreIoException} with a one-line
 * reason.
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
  // Opened before any write through the map: its fsync reports every write-back error since.
  private final RandomAccessFile sync;
  // Invariant: every byte of the file below it is allocated on disk.
  private long preallocatedBytes;
  private final int corruptions;
  // True when written since the last msync.
  private boolean dirty;
  // POWER mode: where every put and remove is also recorded (Journal); null otherwise.
  private Journal journal;
  // The file's name as the journal records it, encoded once (not per write).
  private byte[] journalName;
  private boolean closed;

  private MapFile(Path file, ChronicleMap<Long, byte[]> map, RandomAccessFile sync,
      int corruptions) {
    this.file = file;
    this.map = map;
    this.sync = sync;
    try {
      this.preallocatedBytes = sync.length();
    } catch (IOException e) {
      throw new StoreIoException("cannot stat " + file + ": " + StoreIoException.reason(e), e);
    }
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
    RandomAccessFile sync = null;
    try {
      ChronicleMap<Long, byte[]> map;
      if (Files.exists(file)) {
        sync = new RandomAccessFile(file.toFile(), "rw");
        preallocate(sync, file);
      }
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
        RandomAccessFile[] created = new RandomAccessFile[1];
        map = createAtomically(builder, file, initialRecords, created);
        sync = created[0];
      }
      return new MapFile(file, map, sync, reports[0]);
    } catch (IOException | RuntimeException | InternalError e) {
      closeQuietly(sync);
      throw new StoreIoException(
          "cannot open map file " + file + ": " + StoreIoException.reason(e), e);
    }
  }

  /**
   * Allocates every byte of the file on disk, so that no write into its mapping can fail for want
   * of space. Cheap where the file is already allocated; a no-op outside Linux.
   */
  private static void preallocate(RandomAccessFile raf, Path file) throws IOException {
    long length = raf.length();
    if (!OS.isLinux() || length == 0) {
      return;
    }
    try {
      PosixFallocate.fallocate(raf.getFD(), 0, length);
    } catch (IOException e) {
      throw new IOException("cannot preallocate its " + length + " bytes: "
          + StoreIoException.reason(e), e);
    }
  }

  private static void closeQuietly(RandomAccessFile raf) {
    if (raf != null) {
      try {
        raf.close();
      } catch (IOException e) {
        log.debug("closing {}: {}", raf, e.toString());
      }
    }
  }

  /**
   * Creates a new map file under a temporary name, writes {@code initialRecords} into it and
   * renames it into place once its header and those records are on disk. A process killed while
   * Chronicle initialises a file would otherwise leave a half-written header under the real name,
   * and the next open waits 60 s for it to become ready and then fails. Leftover temporary files
   * are ignored and replaced. The file is preallocated before the first record is written, and
   * {@code sync[0]} is set to a descriptor opened before it.
   */
  private static ChronicleMap<Long, byte[]> createAtomically(
      ChronicleMapBuilder<Long, byte[]> builder, Path file, Map<Long, byte[]> initialRecords,
      RandomAccessFile[] sync)
      throws IOException {
    Path creating = file.resolveSibling(file.getFileName() + CREATING_SUFFIX);
    Files.deleteIfExists(creating);
    ChronicleMap<Long, byte[]> map;
    try {
      map = builder.createPersistedTo(creating.toFile());
    } catch (IOException | RuntimeException | InternalError e) {
      Files.deleteIfExists(creating); // give back the space a failed preallocation took
      throw e;
    }
    try {
      sync[0] = new RandomAccessFile(creating.toFile(), "rw");
      preallocate(sync[0], creating);
      map.putAll(initialRecords);
      sync[0].getChannel().force(false);
      Files.move(creating, file, StandardCopyOption.ATOMIC_MOVE);
      Disk.syncDirectory(file.getParent());
    } catch (IOException | RuntimeException | InternalError e) {
      map.close();
      Files.deleteIfExists(creating);
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

  /** From now on every put and remove is also recorded in {@code journal} (null: none). */
  void journalTo(Journal journal) {
    this.journal = journal;
    this.journalName = Journal.name(file.getFileName().toString());
  }

  byte[] get(long key) {
    try {
      return map.get(key);
    } catch (RuntimeException | InternalError e) {
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
    } catch (RuntimeException | InternalError e) {
      throw failure("write key " + key, e);
    }
    if (journal != null) {
      journal.record(journalName, key, record);
    }
    try {
      long length = sync.length();
      if (length > preallocatedBytes) { // Chronicle added a tier bulk
        preallocate(sync, file);
        preallocatedBytes = length;
      }
    } catch (IOException e) {
      throw failure("preallocate the growth", e);
    }
  }

  void remove(long key) {
    dirty = true;
    try {
      map.remove(key);
    } catch (RuntimeException | InternalError e) {
      throw failure("remove key " + key, e);
    }
    if (journal != null) {
      journal.record(journalName, key, null);
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
    } catch (RuntimeException | InternalError e) {
      throw failure("read all records", e);
    }
    return all;
  }

  List<Long> keys() {
    try {
      return new ArrayList<>(map.keySet());
    } catch (RuntimeException | InternalError e) {
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
   * Syncs the file whoever wrote it: also pages a killed process left dirty in the page cache,
   * and what Chronicle's recovery repaired. Returns when the disk has it; throws {@link
   * StoreIoException} if any write-back of the file failed since it was opened. An fdatasync of
   * the file is what msync(2) does on Linux for a shared mapping (vfs_fsync_range), but its error
   * is not dropped, as Chronicle's msync drops it.
   */
  void msync() {
    try {
      sync.getChannel().force(false);
    } catch (IOException | RuntimeException e) {
      throw failure("sync", e);
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
    } catch (RuntimeException | InternalError e) {
      throw failure("close", e);
    } finally {
      closeQuietly(sync);
    }
  }

  private StoreException failure(String what, Throwable e) {
    return new StoreIoException(
        "cannot " + what + " in " + file + ": " + StoreIoException.reason(e), e);
  }
}
