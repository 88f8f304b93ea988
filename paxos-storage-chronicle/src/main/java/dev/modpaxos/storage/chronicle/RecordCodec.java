package dev.modpaxos.storage.chronicle;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.spi.StoreException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The binary format of every value the store keeps, big-endian:
 *
 * <pre>
 * record   = crc32c:int kind:byte body     crc32c covers the map key (8 bytes), kind and body
 * PROMISED : generation:long ballot
 * ACCEPTED : generation:long present:byte [slot:long ballot block]   (present = 0: none)
 * CHOSEN   : block                        (the slot is the map key)
 * LOCAL    : entry                        (the map key is the append number)
 * ballot   = round:long nodeId:int
 * block    = count:int entry*
 * entry    = origin:int seq:long length:int payload:byte[length]
 * </pre>
 *
 * Decoding checks the checksum, the kind, every length and that nothing is left over. The
 * generation of acceptor records orders the two copies {@code AcceptorFile} alternates between.
 */
final class RecordCodec {
  /** A decoded acceptor record and its generation. */
  record Versioned<T>(long generation, T value) {}

  static final byte PROMISED = 1;
  static final byte ACCEPTED = 2;
  static final byte CHOSEN = 3;
  static final byte LOCAL = 4;

  private static final int HEADER_BYTES = 5;
  private static final int BALLOT_BYTES = 12;
  private static final int ENTRY_HEADER_BYTES = 16;

  private RecordCodec() {}

  static byte[] promised(long key, long generation, Ballot ballot) {
    ByteBuffer buf = start(PROMISED, 8 + BALLOT_BYTES);
    buf.putLong(generation);
    putBallot(buf, ballot);
    return finish(key, buf);
  }

  /** {@code accepted} may be null: the acceptor has accepted nothing. */
  static byte[] accepted(long key, long generation, Proposal accepted) {
    int body = 9 + (accepted == null ? 0 : 8 + BALLOT_BYTES + blockBytes(accepted.block()));
    ByteBuffer buf = start(ACCEPTED, body);
    buf.putLong(generation).put((byte) (accepted == null ? 0 : 1));
    if (accepted != null) {
      buf.putLong(accepted.slot());
      putBallot(buf, accepted.ballot());
      putBlock(buf, accepted.block());
    }
    return finish(key, buf);
  }

  static byte[] chosen(long slot, Block block) {
    ByteBuffer buf = start(CHOSEN, blockBytes(block));
    putBlock(buf, block);
    return finish(slot, buf);
  }

  static byte[] local(long key, Entry entry) {
    ByteBuffer buf = start(LOCAL, ENTRY_HEADER_BYTES + entry.payloadSize());
    putEntry(buf, entry);
    return finish(key, buf);
  }

  static Versioned<Ballot> readPromised(long key, byte[] record) throws CorruptRecordException {
    ByteBuffer buf = open(key, record, PROMISED);
    try {
      long generation = buf.getLong();
      return end(buf, new Versioned<>(generation, getBallot(buf)));
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw corrupt(key, PROMISED, e);
    }
  }

  static Versioned<Proposal> readAccepted(long key, byte[] record) throws CorruptRecordException {
    ByteBuffer buf = open(key, record, ACCEPTED);
    try {
      long generation = buf.getLong();
      byte present = buf.get();
      if (present == 0) {
        return end(buf, new Versioned<>(generation, null));
      }
      if (present != 1) {
        throw new IllegalArgumentException("bad presence byte " + present);
      }
      long slot = buf.getLong();
      Ballot ballot = getBallot(buf);
      return end(buf, new Versioned<>(generation, new Proposal(slot, ballot, getBlock(buf))));
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw corrupt(key, ACCEPTED, e);
    }
  }

  static Block readChosen(long slot, byte[] record) throws CorruptRecordException {
    ByteBuffer buf = open(slot, record, CHOSEN);
    try {
      return end(buf, getBlock(buf));
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw corrupt(slot, CHOSEN, e);
    }
  }

  static Entry readLocal(long key, byte[] record) throws CorruptRecordException {
    ByteBuffer buf = open(key, record, LOCAL);
    try {
      return end(buf, getEntry(buf));
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw corrupt(key, LOCAL, e);
    }
  }

  // ---- writing -----------------------------------------------------------------------------

  private static int blockBytes(Block block) {
    long bytes = 4;
    for (Entry e : block.entries()) {
      bytes += ENTRY_HEADER_BYTES + e.payloadSize();
    }
    if (bytes > Integer.MAX_VALUE - HEADER_BYTES - 64) {
      throw new StoreException("a block of " + bytes + " bytes is too large to store");
    }
    return (int) bytes;
  }

  private static ByteBuffer start(byte kind, int bodyBytes) {
    ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + bodyBytes);
    buf.putInt(0).put(kind);
    return buf;
  }

  private static byte[] finish(long key, ByteBuffer buf) {
    byte[] record = buf.array();
    ByteBuffer.wrap(record).putInt(0, checksum(key, record));
    return record;
  }

  private static void putBallot(ByteBuffer buf, Ballot ballot) {
    buf.putLong(ballot.round()).putInt(ballot.nodeId());
  }

  private static void putBlock(ByteBuffer buf, Block block) {
    buf.putInt(block.size());
    for (Entry e : block.entries()) {
      putEntry(buf, e);
    }
  }

  private static void putEntry(ByteBuffer buf, Entry entry) {
    buf.putInt(entry.origin()).putLong(entry.seq()).putInt(entry.payloadSize());
    entry.copyPayloadTo(buf.array(), buf.position());
    buf.position(buf.position() + entry.payloadSize());
  }

  // ---- reading -----------------------------------------------------------------------------

  private static ByteBuffer open(long key, byte[] record, byte kind) throws CorruptRecordException {
    if (record.length < HEADER_BYTES) {
      throw new CorruptRecordException(
          "record at key " + key + " is " + record.length + " bytes, shorter than its header");
    }
    ByteBuffer buf = ByteBuffer.wrap(record);
    int stored = buf.getInt();
    if (stored != checksum(key, record)) {
      throw new CorruptRecordException("record at key " + key + " fails its CRC32C checksum");
    }
    byte actual = buf.get();
    if (actual != kind) {
      throw new CorruptRecordException(
          "record at key " + key + " has kind " + actual + ", expected " + kind);
    }
    return buf;
  }

  private static <T> T end(ByteBuffer buf, T value) {
    if (buf.hasRemaining()) {
      throw new IllegalArgumentException(buf.remaining() + " trailing bytes");
    }
    return value;
  }

  private static CorruptRecordException corrupt(long key, byte kind, RuntimeException cause) {
    return new CorruptRecordException(
        "record of kind " + kind + " at key " + key + " does not decode: " + cause);
  }

  private static Ballot getBallot(ByteBuffer buf) {
    return new Ballot(buf.getLong(), buf.getInt());
  }

  private static Block getBlock(ByteBuffer buf) {
    int count = buf.getInt();
    if (count < 0 || (long) count * ENTRY_HEADER_BYTES > buf.remaining()) {
      throw new IllegalArgumentException("bad entry count " + count);
    }
    List<Entry> entries = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      entries.add(getEntry(buf));
    }
    return new Block(entries);
  }

  private static Entry getEntry(ByteBuffer buf) {
    int origin = buf.getInt();
    long seq = buf.getLong();
    int length = buf.getInt();
    if (length < 0 || length > buf.remaining()) {
      throw new IllegalArgumentException("bad payload length " + length);
    }
    byte[] payload = new byte[length];
    buf.get(payload);
    return new Entry(origin, seq, payload);
  }

  private static int checksum(long key, byte[] record) {
    CRC32C crc = new CRC32C();
    crc.update(ByteBuffer.allocate(8).putLong(0, key));
    crc.update(record, 4, record.length - 4);
    return (int) crc.getValue();
  }
}
