package dev.modpaxos.storage.chronicle;

import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.EntryId;
import dev.modpaxos.spi.StoreException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local log in one map file. Each entry is stored under its append number, so the log reads
 * back in append order; an in-memory index maps entry ids to append numbers. Re-appending an id
 * replaces the entry in its place. Not thread-safe.
 */
final class LocalLogFile implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalLogFile.class);

  private final MapFile file;
  // Invariant: holds exactly the ids stored in the file, each with its key there.
  private final Map<EntryId, Long> keyOf = new HashMap<>();
  // Invariant: above every key in the file.
  private long nextKey = 1;
  // Records that failed their checksum at load and were removed.
  private int corruptRecords;

  LocalLogFile(MapFile file) {
    this.file = file;
  }

  /** Reads the log in append order and rebuilds the index; drops records that fail to decode. */
  List<Entry> load() {
    keyOf.clear();
    List<Entry> entries = new ArrayList<>();
    for (Map.Entry<Long, byte[]> r : file.readAll().entrySet()) {
      long key = r.getKey();
      nextKey = Math.max(nextKey, key + 1);
      try {
        Entry e = RecordCodec.readLocal(key, r.getValue());
        if (keyOf.containsKey(e.id())) {
          throw new CorruptRecordException("entry " + e.id() + " stored twice");
        }
        keyOf.put(e.id(), key);
        entries.add(e);
      } catch (CorruptRecordException e) {
        corruptRecords++;
        log.error("{}: local-log record lost: {}", file.file(), e.getMessage());
        file.remove(key);
      }
    }
    return entries;
  }

  int corruptRecords() {
    return corruptRecords;
  }

  /** Corruptions Chronicle's recovery reported in the file. */
  int corruptions() {
    return file.corruptions();
  }

  void append(Entry entry) {
    Long key = keyOf.get(entry.id());
    long k = key != null ? key : nextKey;
    try {
      file.put(k, RecordCodec.local(k, entry));
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

  void msync() {
    file.msyncIfDirty();
  }

  @Override
  public void close() {
    file.close();
  }
}
