package dev.modpaxos.storage.chronicle;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.spi.StoreException;
import dev.modpaxos.spi.StoreIdentity;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store identity, the promised ballot and the accepted value in one map file. Each is written
 * alternately to two keys with a rising version, never over the newest copy: a write torn by a
 * crash can only damage the copy being written, which was not yet acknowledged, so the
 * acknowledged one survives. Not thread-safe.
 */
final class AcceptorFile implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AcceptorFile.class);
  private static final long PROMISED_KEY = 1; // and 2
  private static final long ACCEPTED_KEY = 3; // and 4
  private static final long IDENTITY_KEY = 5; // and 6
  /** How many records the file holds at most. */
  static final int RECORDS = 6;

  /** One of the three values, as read back: the newest intact copy, and whether it is lost. */
  private record Family<T>(String name, T value, long version, boolean lost) {}

  private final MapFile file;
  // Version of the newest copy of each; the next write goes to key base + ((version + 1) & 1).
  private long identityVersion;
  private long promisedVersion;
  private long acceptedVersion;

  private StoreIdentity identity;
  private Ballot promised = Ballot.ZERO;
  private Proposal accepted;
  // True when load() could not find an intact newest copy of every value (R16).
  private boolean lost;

  AcceptorFile(MapFile file) {
    this.file = file;
  }

  /**
   * The records a new file starts with: version-0 copies of "no identity", {@link Ballot#ZERO}
   * and "nothing accepted", so that from then on a value with no intact copy is known to be lost.
   * {@code MapFile} writes them before the file appears under its name.
   */
  static Map<Long, byte[]> initialRecords() {
    return Map.of(
        IDENTITY_KEY, RecordCodec.identity(IDENTITY_KEY, 0, null),
        PROMISED_KEY, RecordCodec.promised(PROMISED_KEY, 0, Ballot.ZERO),
        ACCEPTED_KEY, RecordCodec.accepted(ACCEPTED_KEY, 0, null));
  }

  /**
   * Reads the three values. On a clean open (nothing was in flight) any damaged copy counts as
   * lost; after a crash one intact copy of each suffices, since only the copy being written can
   * have been torn. A lost identity reads as null: the store can no longer tell whose it is.
   */
  void load(boolean recovered) {
    Family<StoreIdentity> i = newest(IDENTITY_KEY, "identity", recovered, RecordCodec::readIdentity);
    Family<Ballot> p = newest(PROMISED_KEY, "promise", recovered, RecordCodec::readPromised);
    Family<Proposal> a = newest(ACCEPTED_KEY, "accepted value", recovered, RecordCodec::readAccepted);
    lost = i.lost() || p.lost() || a.lost();
    identity = i.lost() ? null : i.value();
    identityVersion = i.version();
    promised = p.value() == null ? Ballot.ZERO : p.value();
    promisedVersion = p.version();
    accepted = a.value();
    acceptedVersion = a.version();
    if (accepted != null && accepted.ballot().isAbove(promised)) {
      // Accepting a ballot implies promising it (Paxos Made Simple §2.2).
      promised = accepted.ballot();
    }
  }

  private interface Reader<T> {
    RecordCodec.Versioned<T> read(long key, byte[] record) throws CorruptRecordException;
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

  Proposal accepted() {
    return accepted;
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

  void savePromised(Ballot ballot) {
    long version = promisedVersion + 1;
    long key = PROMISED_KEY + (version & 1);
    put(key, RecordCodec.promised(key, version, ballot));
    promisedVersion = version;
  }

  void saveAccepted(Proposal proposal) {
    long version = acceptedVersion + 1;
    long key = ACCEPTED_KEY + (version & 1);
    put(key, RecordCodec.accepted(key, version, proposal));
    acceptedVersion = version;
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

  @Override
  public void close() {
    file.close();
  }
}
