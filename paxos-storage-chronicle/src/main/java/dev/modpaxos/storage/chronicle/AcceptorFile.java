package dev.modpaxos.storage.chronicle;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.spi.IdFloor;
import dev.modpaxos.spi.StoreException;
import dev.modpaxos.spi.StoreIdentity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store identity, the promised ballot and the acceptor's votes in one map file. Not
 * thread-safe.
 *
 * <p>Votes live in a ring of {@link #CELLS} cells: the vote for slot {@code s} goes to cell {@code
 * s % CELLS}, over the vote for slot {@code s - CELLS} (R18: a vote for slot {@code k} proves slot
 * {@code k - PIPELINE_SLOTS_LIMIT} committed, so nothing still needs it; {@code Store#saveAccepted}
 * lets the store drop it).
 *
 * <p>The identity, the promise and every cell are each written alternately to two keys with a
 * rising version, never over the newest copy: a write torn by a crash can only damage the copy
 * being written, which was not yet acknowledged, so the acknowledged one survives.
 */
final class AcceptorFile implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AcceptorFile.class);
  private static final long PROMISED_KEY = 1; // and 2
  static final long ID_FLOOR_KEY = 7; // and 8 (3 and 4 held format 2's single vote)
  private static final long IDENTITY_KEY = 5; // and 6
  /** Cell {@code c}'s two copies are at keys {@code VOTE_KEY + 2c} and {@code + 1}. */
  private static final long VOTE_KEY = 16;
  /** Cells of the vote ring: the votes of this many highest slots are kept. */
  static final int CELLS = ReplicaConfig.VOTES_KEPT;
  /**
   * The most records the file holds: two copies each of the identity, promise, id floor and
   * cells.
   */
  static final int RECORDS = 6 + 2 * CELLS;

  /** One value, as read back: the newest intact copy, and whether it is lost. */
  private record Family<T>(String name, T value, long version, boolean lost) {}

  private final MapFile file;
  // Version of the newest copy of each; the next write goes to key base + ((version + 1) & 1).
  private long identityVersion;
  private long promisedVersion;
  private long idFloorVersion;
  private final long[] cellVersion = new long[CELLS];

  private StoreIdentity identity;
  private Ballot promised = Ballot.ZERO;
  private IdFloor idFloor = IdFloor.NONE;
  // The votes load() read, in slot order; only slots above highestSlot - CELLS.
  private List<Proposal> votes = List.of();
  // Invariant: the highest slot voted (written, synced or not), 0 if none.
  private long highestSlot;
  // True when load() could not find an intact newest copy of every value (R16).
  private boolean lost;

  // The largest vote record this file takes (Layout sizes it for RECORDS of this size).
  private final int voteBytesMax;

  AcceptorFile(MapFile file, int voteBytesMax) {
    this.file = file;
    this.voteBytesMax = voteBytesMax;
  }

  static long cellKey(int cell) {
    return VOTE_KEY + 2L * cell;
  }

  static int cellOf(long slot) {
    return (int) (slot % CELLS);
  }

  /**
   * The records a new file starts with: version-0 copies of "no identity", {@link Ballot#ZERO}
   * and an empty vote in every cell, so that from then on a value with no intact copy is known to
   * be lost. {@code MapFile} writes them before the file appears under its name.
   */
  static Map<Long, byte[]> initialRecords() {
    Map<Long, byte[]> records = new HashMap<>();
    records.put(IDENTITY_KEY, RecordCodec.identity(IDENTITY_KEY, 0, null));
    records.put(PROMISED_KEY, RecordCodec.promised(PROMISED_KEY, 0, Ballot.ZERO));
    records.put(ID_FLOOR_KEY, RecordCodec.idFloor(ID_FLOOR_KEY, 0, IdFloor.NONE));
    for (int cell = 0; cell < CELLS; cell++) {
      records.put(cellKey(cell), RecordCodec.accepted(cellKey(cell), 0, null));
    }
    return Map.copyOf(records);
  }

  /**
   * Reads every value. On a clean open (nothing was in flight) any damaged copy counts as lost;
   * after a crash one intact copy of each suffices, since only the copy being written can have
   * been torn. A lost identity reads as null: the store can no longer tell whose it is.
   */
  void load(boolean recovered) {
    Family<StoreIdentity> i =
        newest(IDENTITY_KEY, "identity", recovered, RecordCodec::readIdentity);
    Family<Ballot> p = newest(PROMISED_KEY, "promise", recovered, RecordCodec::readPromised);
    // A directory made before the id floor existed has no copy of it at all: never written.
    boolean floorNeverWritten =
        file.get(ID_FLOOR_KEY) == null && file.get(ID_FLOOR_KEY + 1) == null;
    Family<IdFloor> f = floorNeverWritten
        ? new Family<>("id floor", IdFloor.NONE, 0, false)
        : newest(ID_FLOOR_KEY, "id floor", recovered, RecordCodec::readIdFloor);
    lost = i.lost() || p.lost() || f.lost();
    idFloor = f.value() == null ? IdFloor.NONE : f.value(); // none intact: lost, a new incarnation
    idFloorVersion = f.version();
    identity = i.lost() ? null : i.value();
    identityVersion = i.version();
    promised = p.value() == null ? Ballot.ZERO : p.value();
    promisedVersion = p.version();
    List<Proposal> all = new ArrayList<>();
    for (int cell = 0; cell < CELLS; cell++) {
      Family<Proposal> v = newest(cellKey(cell), "vote cell " + cell, recovered, cellReader(cell));
      lost |= v.lost();
      cellVersion[cell] = v.version();
      if (v.value() != null) {
        all.add(v.value());
        highestSlot = Math.max(highestSlot, v.value().slot());
      }
    }
    // A cell may still hold a vote from before the ring last wrapped past it; nothing needs it.
    all.removeIf(vote -> vote.slot() <= highestSlot - CELLS);
    all.sort((a, b) -> Long.compare(a.slot(), b.slot()));
    votes = List.copyOf(all);
    for (Proposal vote : votes) {
      if (vote.ballot().isAbove(promised)) {
        // Accepting a ballot implies promising it (Paxos Made Simple §2.2).
        promised = vote.ballot();
      }
    }
  }

  private interface Reader<T> {
    RecordCodec.Versioned<T> read(long key, byte[] record) throws CorruptRecordException;
  }

  /** Reads a vote record and checks that its slot belongs to {@code cell}. */
  private static Reader<Proposal> cellReader(int cell) {
    return (key, record) -> {
      RecordCodec.Versioned<Proposal> v = RecordCodec.readAccepted(key, record);
      if (v.value() != null && cellOf(v.value().slot()) != cell) {
        throw new CorruptRecordException(
            "record at key " + key + " holds a vote for slot " + v.value().slot()
                + ", which does not belong to cell " + cell);
      }
      return v;
    };
  }

  private <T> Family<T> newest(long baseKey, String name, boolean recovered, Reader<T> reader) {
    RecordCodec.Versioned<T> best = null;
    boolean damaged = false;
    for (long key = baseKey; key <= baseKey + 1; key++) {
      byte[] record = file.get(key);
      if (record == null) {
        continue;
      }
      try {
        RecordCodec.Versioned<T> v = reader.read(key, record);
        if (best == null || v.version() > best.version()) {
          best = v;
        }
      } catch (CorruptRecordException e) {
        log.warn("{}: the {}: {}", file.file(), name, e.getMessage());
        damaged = true;
      }
    }
    if (best == null) {
      log.error("{}: no intact copy of the {}", file.file(), name);
      return new Family<>(name, null, 0, true);
    }
    if (damaged && !recovered) {
      log.error("{}: a copy of the {} is damaged although the store was closed cleanly",
          file.file(), name);
    }
    return new Family<>(name, best.value(), best.version(), damaged && !recovered);
  }

  /** The identity, or null for a store never given one (or whose identity is lost). */
  StoreIdentity identity() {
    return identity;
  }

  Ballot promised() {
    return promised;
  }

  /** The id floor (R15), {@link IdFloor#NONE} if none was written. */
  IdFloor idFloor() {
    return idFloor;
  }

  /** The votes load() found, one per slot, in slot order. */
  List<Proposal> votes() {
    return votes;
  }

  /** True when load() found a value without an intact newest copy. */
  boolean lost() {
    return lost;
  }

  int corruptions() {
    return file.corruptions();
  }

  void saveIdentity(StoreIdentity value) {
    long version = identityVersion + 1;
    long key = IDENTITY_KEY + (version & 1);
    put(key, RecordCodec.identity(key, version, value));
    identityVersion = version;
  }

  void saveIdFloor(IdFloor floor) {
    long version = idFloorVersion + 1;
    long key = ID_FLOOR_KEY + (version & 1);
    put(key, RecordCodec.idFloor(key, version, floor));
    idFloorVersion = version;
    idFloor = floor;
  }

  void savePromised(Ballot ballot) {
    long version = promisedVersion + 1;
    long key = PROMISED_KEY + (version & 1);
    put(key, RecordCodec.promised(key, version, ballot));
    promisedVersion = version;
  }

  /**
   * Records the vote for {@code proposal.slot()} in its cell, over that cell's older vote. A vote
   * for a slot at or below {@code highestSlot - CELLS} is not written: the store may drop it
   * (Store#saveAccepted), and its cell holds a newer slot's vote.
   */
  void saveAccepted(Proposal proposal) {
    if (proposal.slot() <= highestSlot - CELLS) {
      log.debug("{}: dropped a vote for slot {}, {} or more below the highest, {}",
          file.file(), proposal.slot(), CELLS, highestSlot);
      return;
    }
    int cell = cellOf(proposal.slot());
    long version = cellVersion[cell] + 1;
    long key = cellKey(cell) + (version & 1);
    byte[] record = RecordCodec.accepted(key, version, proposal);
    if (record.length > voteBytesMax) {
      throw new StoreException(
          "the vote for slot " + proposal.slot() + " is " + record.length + " bytes, above the "
              + voteBytesMax + " voteBytesMax of " + file.file() + " (set when the directory was"
              + " created, ChronicleStoreConfig.voteBytesMax)");
    }
    put(key, record);
    cellVersion[cell] = version;
    highestSlot = Math.max(highestSlot, proposal.slot());
  }

  private void put(long key, byte[] record) {
    try {
      file.put(key, record);
    } catch (MapFile.FullException e) {
      throw new StoreException(
          "no room for an acceptor record of " + record.length + " bytes in " + file.file(), e);
    }
  }

  void msync() {
    file.msyncIfDirty();
  }

  /** POWER mode: every later write is also recorded in {@code journal} (ChronicleStore#sync). */
  void journalTo(Journal journal) {
    file.journalTo(journal);
  }

  @Override
  public void close() {
    file.close();
  }
}
