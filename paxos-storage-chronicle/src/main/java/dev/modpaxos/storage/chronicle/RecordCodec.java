package dev.modpaxos.storage.chronicle;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.spi.StoreException;
import dev.modpaxos.spi.StoreIdentity;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The binary format of every value the store keeps (store format 3, see {@link Layout}),
 * big-endian:
 *
 * <pre>
 * record   = crc32c:int kind:byte body     crc32c covers the map key (8 bytes), kind and body
 * IDENTITY : version:long present:byte [memberId:int generation:int nonce:long
 *            clusterIdLength:int clusterId:utf8]                    (present = 0: none)
 * PROMISED : version:long ballot
 * ID_FLOOR : version:long from:long until:long      (R15; 0 0: none)
 * ACCEPTED : version:long present:byte [slot:long ballot block]
 *            (one cell of the vote ring; present = 0: empty)
 * CHOSEN   : syncedSlot:long block        (the slot is the map key)
 * LOCAL    : syncedKey:long entry         (the map key is the append number)
 * ballot   = round:long nodeId:int generation:int
 * block    = count:int entry*
 * entry    = origin:int seq:long length:int payload:byte[length]
 * </pre>
 *
 * Decoding checks the checksum, the kind, every length and that nothing is left over.
 *
 * <ul>
 *   <li>The <em>version</em> of identity, promise and vote records orders the two copies {@code
 *       AcceptorFile} alternates between (for votes, per ring cell). It is a write counter of
 *       the store, not a member generation.
 *   <li>The <em>synced watermark</em> of chosen and local records ({@code syncedSlot}, {@code
 *       syncedKey}) is what the store knew to be durable when it wrote the record: every chosen
 *       slot up to {@code syncedSlot}, and every local-log record with a key below {@code
 *       syncedKey}, had been synced before. A record that survived therefore proves which earlier
 *       records were acknowledged, so that a missing or damaged one is told apart from a write a
 *       crash was allowed to lose (docs/STORAGE.md, "Recovery").
 * </ul>
 */
final class RecordCodec {
  /** A decoded identity or acceptor record and its version. */
  record Versioned<T>(long version, T value) {}

  /** A decoded chosen or local record and its synced watermark. */
  record Watermarked<T>(long synced, T value) {}

  static final byte PROMISED = 1;
  static final byte ACCEPTED = 2;
  static final byte CHOSEN = 3;
  static final byte LOCAL = 4;
  static final byte IDENTITY = 5;
  static final byte ID_FLOOR = 6;

  private static final int HEADER_BYTES = 5;
  private static final int BALLOT_BYTES = 16;
  private static final int ENTRY_HEADER_BYTES = 16;
  private static final int CLUSTER_ID_BYTES_MAX = 4096;

  private RecordCodec() {}

  /** {@code identity} may be null: the store was never given one. */
  static byte[] identity(long key, long version, StoreIdentity identity) {
    byte[] cluster =
        identity == null ? new byte[0] : identity.clusterId().getBytes(StandardCharsets.UTF_8);
    if (cluster.length > CLUSTER_ID_BYTES_MAX) {
      throw new StoreException(
          "cluster id of " + cluster.length + " bytes is too long to store (at most "
              + CLUSTER_ID_BYTES_MAX + ")");
    }
    ByteBuffer buf = start(IDENTITY, 9 + (identity == null ? 0 : 20 + cluster.length));
    buf.putLong(version).put((byte) (identity == null ? 0 : 1));
    if (identity != null) {
      buf.putInt(identity.memberId()).putInt(identity.generation()).putLong(identity.nonce());
      buf.putInt(cluster.length).put(cluster);
    }
    return finish(key, buf);
  }

  static byte[] promised(long key, long version, Ballot ballot) {
    ByteBuffer buf = start(PROMISED, 8 + BALLOT_BYTES);
    buf.putLong(version);
    putBallot(buf, ballot);
    return finish(key, buf);
  }

  static byte[] idFloor(long key, long version, dev.modpaxos.spi.IdFloor floor) {
    ByteBuffer buf = start(ID_FLOOR, 24);
    buf.putLong(version).putLong(floor.from()).putLong(floor.until());
    return finish(key, buf);
  }

  static Versioned<dev.modpaxos.spi.IdFloor> readIdFloor(long key, byte[] record)
      throws CorruptRecordException {
    ByteBuffer buf = open(key, record, ID_FLOOR);
    try {
      long version = buf.getLong();
      return end(buf, new Versioned<>(version,
          new dev.modpaxos.spi.IdFloor(buf.getLong(), buf.getLong())));
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw corrupt(key, ID_FLOOR, e);
    }
  }

  /** {@code accepted} may be null: the acceptor has accepted nothing. */
  static byte[] accepted(long key, long version, Proposal accepted) {
    int body = 9 + (accepted == null ? 0 : 8 + BALLOT_BYTES + blockBytes(accepted.block()));
    ByteBuffer buf = start(ACCEPTED, body);
    buf.putLong(version).put((byte) (accepted == null ? 0 : 1));
    if (accepted != null) {
      buf.putLong(accepted.slot());
      putBallot(buf, accepted.ballot());
      putBlock(buf, accepted.block());
    }
    return finish(key, buf);
  }

  static byte[] chosen(long slot, long syncedSlot, Block block) {
    ByteBuffer buf = start(CHOSEN, 8 + blockBytes(block));
    buf.putLong(syncedSlot);
    putBlock(buf, block);
    return finish(slot, buf);
  }

  static byte[] local(long key, long syncedKey, Entry entry) {
    ByteBuffer buf = start(LOCAL, 8 + ENTRY_HEADER_BYTES + entry.payloadSize());
    buf.putLong(syncedKey);
    putEntry(buf, entry);
    return finish(key, buf);
  }

  static Versioned<StoreIdentity> readIdentity(long key, byte[] record)
      throws CorruptRecordException {
    ByteBuffer buf = open(key, record, IDENTITY);
    try {
      long version = buf.getLong();
      byte present = buf.get();
      if (present == 0) {
        return end(buf, new Versioned<>(version, null));
      }
      if (present != 1) {
        throw new IllegalArgumentException("bad presence byte " + present);
      }
      int memberId = buf.getInt();
      int generation = buf.getInt();
      long nonce = buf.getLong();
      int length = buf.getInt();
      if (length < 0 || length > buf.remaining()) {
        throw new IllegalArgumentException("bad cluster id length " + length);
      }
      byte[] cluster = new byte[length];
      buf.get(cluster);
      String clusterId =
          StandardCharsets.UTF_8.newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(cluster))
              .toString();
      return end(
          buf, new Versioned<>(version, new StoreIdentity(clusterId, memberId, generation, nonce)));
    } catch (BufferUnderflowException | IllegalArgumentException | CharacterCodingException e) {
      throw corrupt(key, IDENTITY, e);
    }
  }

  static Versioned<Ballot> readPromised(long key, byte[] record) throws CorruptRecordException {
    ByteBuffer buf = open(key, record, PROMISED);
    try {
      long version = buf.getLong();
      return end(buf, new Versioned<>(version, getBallot(buf)));
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw corrupt(key, PROMISED, e);
    }
  }

  static Versioned<Proposal> readAccepted(long key, byte[] record) throws CorruptRecordException {
    ByteBuffer buf = open(key, record, ACCEPTED);
    try {
      long version = buf.getLong();
      byte present = buf.get();
      if (present == 0) {
        return end(buf, new Versioned<>(version, null));
      }
      if (present != 1) {
        throw new IllegalArgumentException("bad presence byte " + present);
      }
      long slot = buf.getLong();
      Ballot ballot = getBallot(buf);
      return end(buf, new Versioned<>(version, new Proposal(slot, ballot, getBlock(buf))));
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw corrupt(key, ACCEPTED, e);
    }
  }

  static Watermarked<Block> readChosen(long slot, byte[] record) throws CorruptRecordException {
    ByteBuffer buf = open(slot, record, CHOSEN);
    try {
      long synced = buf.getLong();
      return end(buf, new Watermarked<>(synced, getBlock(buf)));
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw corrupt(slot, CHOSEN, e);
    }
  }

  static Watermarked<Entry> readLocal(long key, byte[] record) throws CorruptRecordException {
    ByteBuffer buf = open(key, record, LOCAL);
    try {
      long synced = buf.getLong();
      return end(buf, new Watermarked<>(synced, getEntry(buf)));
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
    buf.putLong(ballot.round()).putInt(ballot.nodeId()).putInt(ballot.generation());
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

  private static CorruptRecordException corrupt(long key, byte kind, Exception cause) {
    return new CorruptRecordException(
        "record of kind " + kind + " at key " + key + " does not decode: " + cause);
  }

  private static Ballot getBallot(ByteBuffer buf) {
    return new Ballot(buf.getLong(), buf.getInt(), buf.getInt());
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
