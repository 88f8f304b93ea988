package dev.modpaxos.storage.chronicle;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.spi.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The promised ballot and the accepted value in one map file. Each is written alternately to two
 * keys with a rising generation, never over the newest copy: a write torn by a crash can only
 * damage the copy being written, which was not yet acknowledged, so the acknowledged one survives.
 * Not thread-safe.
 */
final class AcceptorFile implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AcceptorFile.class);
  private static final long PROMISED_KEY = 1; // and 2
  private static final long ACCEPTED_KEY = 3; // and 4

  private final MapFile file;
  // Generation of the newest copy of each; the next write goes to key base + ((generation+1) & 1).
  private long promisedGeneration;
  private long acceptedGeneration;

  private Ballot promised = Ballot.ZERO;
  private Proposal accepted;
  // True when load() could not find an intact newest copy (R16).
  private boolean lost;

  AcceptorFile(MapFile file) {
    this.file = file;
  }

  /**
   * Reads both values. A new file gets generation-0 copies, so that from then on a value with no
   * intact copy is known to be lost. On a clean open (nothing was in flight) any damaged copy
   * counts as lost; after a crash one intact copy of each suffices.
   */
  void load(boolean created, boolean recovered) {
    if (created) {
      file.put(PROMISED_KEY, RecordCodec.promised(PROMISED_KEY, 0, Ballot.ZERO));
      file.put(ACCEPTED_KEY, RecordCodec.accepted(ACCEPTED_KEY, 0, null));
      return;
    }
    RecordCodec.Versioned<Ballot> p = newest(PROMISED_KEY, recovered, true);
    RecordCodec.Versioned<Proposal> a = newest(ACCEPTED_KEY, recovered, false);
    if (p != null) {
      promised = p.value();
      promisedGeneration = p.generation();
    }
    if (a != null) {
      accepted = a.value();
      acceptedGeneration = a.generation();
    }
    if (accepted != null && accepted.ballot().isAbove(promised)) {
      // Accepting a ballot implies promising it (Paxos Made Simple §2.2).
      promised = accepted.ballot();
    }
  }

  @SuppressWarnings("unchecked")
  private <T> RecordCodec.Versioned<T> newest(long baseKey, boolean recovered, boolean isPromise) {
    RecordCodec.Versioned<T> best = null;
    for (long key = baseKey; key <= baseKey + 1; key++) {
      byte[] record = file.get(key);
      if (record == null) {
        continue;
      }
      try {
        RecordCodec.Versioned<T> v =
            (RecordCodec.Versioned<T>)
                (isPromise
                    ? RecordCodec.readPromised(key, record)
                    : RecordCodec.readAccepted(key, record));
        if (best == null || v.generation() > best.generation()) {
          best = v;
        }
      } catch (CorruptRecordException e) {
        log.warn("{}: {}", file.file(), e.getMessage());
        lost |= !recovered;
      }
    }
    if (best == null) {
      lost = true;
      log.error("{}: no intact copy of the {}", file.file(), isPromise ? "promise" : "accepted value");
    }
    return best;
  }

  Ballot promised() {
    return promised;
  }

  Proposal accepted() {
    return accepted;
  }

  boolean lost() {
    return lost;
  }

  int corruptions() {
    return file.corruptions();
  }

  void savePromised(Ballot ballot) {
    long generation = promisedGeneration + 1;
    long key = PROMISED_KEY + (generation & 1);
    put(key, RecordCodec.promised(key, generation, ballot));
    promisedGeneration = generation;
  }

  void saveAccepted(Proposal proposal) {
    long generation = acceptedGeneration + 1;
    long key = ACCEPTED_KEY + (generation & 1);
    put(key, RecordCodec.accepted(key, generation, proposal));
    acceptedGeneration = generation;
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
