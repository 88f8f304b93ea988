package dev.modpaxos.storage.chronicle;

import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.EntryId;
import dev.modpaxos.spi.StoreException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local log in one map file. Each entry is stored under its append number, so the log reads
 * back in append order; an in-memory index maps entry ids to append numbers. Re-appending an id
 * replaces the entry in its place. Not thread-safe.
 *
 * <p>Opening is two steps, as for {@link ChosenFiles}: {@link #scan} reads and changes nothing;
 * {@link #repair} removes the damaged records it found.
 */
final class LocalLogFile implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalLogFile.class);

  /**
   * What {@link #scan} found.
   *
   * @param entries the intact entries in append order
   * @param watermark the highest synced watermark of any intact record: every record with a
   *     lower key was durable before a record that survived was written
   * @param damaged keys of records that failed their checksum, ascending
   * @param highestKey the highest key in the file, intact or not; 0 if empty
   */
  record Scan(List<Entry> entries, long watermark, List<Long> damaged, long highestKey) {}

  private final MapFile file;
  // Invariant: holds exactly the ids stored in the file, each with its key there.
  private final Map<EntryId, Long> keyOf = new HashMap<>();
  // Invariant: above every key in the file.
  private long nextKey = 1;
  // Invariant: every record with a key below syncedKey is durable; written into each record.
  private long syncedKey = 1;
  // Between scan() and repair(): keys to remove.
  private final List<Long> doomed = new ArrayList<>();

  LocalLogFile(MapFile file) {
    this.file = file;
  }

  /**
   * Reads the log in append order and rebuilds the index; changes nothing. A record that fails
   * to decode is left out and listed in {@link Scan#damaged}. An id stored under two keys (a
   * removal a crash lost, then the id appended again) keeps its later copy.
   */
  Scan scan() {
    keyOf.clear();
    LinkedHashMap<EntryId, Entry> entries = new LinkedHashMap<>();
    List<Long> damaged = new ArrayList<>();
    long watermark = 0;
    long highest = 0;
    TreeMap<Long, byte[]> records = file.readAll();
    for (Map.Entry<Long, byte[]> r : records.entrySet()) {
      long key = r.getKey();
      highest = Math.max(highest, key);
      nextKey = Math.max(nextKey, key + 1);
      try {
        RecordCodec.Watermarked<Entry> w = RecordCodec.readLocal(key, r.getValue());
        watermark = Math.max(watermark, w.synced());
        Entry e = w.value();
        Long earlier = keyOf.put(e.id(), key);
        if (earlier != null) {
          log.info("{}: entry {} stored twice, keeping the later copy", file.file(), e.id());
          doomed.add(earlier);
          entries.remove(e.id());
        }
        entries.put(e.id(), e);
      } catch (CorruptRecordException e) {
        log.warn("{}: local-log record damaged: {}", file.file(), e.getMessage());
        damaged.add(key);
        doomed.add(key);
      }
    }
    return new Scan(new ArrayList<>(entries.values()), watermark, damaged, highest);
  }

  /** Removes the damaged records and older duplicates {@link #scan} found. */
  void repair() {
    for (long key : doomed) {
      file.remove(key);
    }
    doomed.clear();
  }

  void append(Entry entry) {
    Long key = keyOf.get(entry.id());
    long k = key != null ? key : nextKey;
    try {
      file.put(k, RecordCodec.local(k, syncedKey, entry));
    } catch (MapFile.FullException e) {
      throw new StoreException(
          "the local log is full at " + keyOf.size() + " entries; create the store with a larger"
              + " localLogEntries, or bound the node's local log lower",
          e);
    }
    if (key == null) {
      keyOf.put(entry.id(), k);
      nextKey++;
    }
  }

  void remove(Collection<EntryId> ids) {
    for (EntryId id : ids) {
      Long key = keyOf.remove(id);
      if (key != null) {
        file.remove(key);
      }
    }
  }

  /** Corruptions Chronicle's recovery reported in the file. */
  int corruptions() {
    return file.corruptions();
  }

  void msync() {
    file.msyncIfDirty();
  }

  /** POWER mode: every later write is also recorded in {@code journal} (ChronicleStore#sync). */
  void journalTo(Journal journal) {
    file.journalTo(journal);
  }

  /** msyncs the file whoever wrote it (after recovery and repair at open). */
  void msyncOpened() {
    file.msync();
  }

  /** Every record written so far is durable now; later records carry that watermark. */
  void markSynced() {
    syncedKey = nextKey;
  }

  @Override
  public void close() {
    file.close();
  }
}
