package dev.modpaxos.storage.chronicle;

import dev.modpaxos.spi.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * POWER mode's write-ahead journal: one fdatasync per {@link ChronicleStore#sync()}, however many
 * map files the batch wrote. Every record a {@link MapFile} puts or removes while the journal is
 * attached is also appended here (in memory until the next sync); a sync writes them to {@code
 * journal.log} and fdatasyncs that one file, where an msync of each written map file cost one
 * device flush per file (docs/STORAGE.md, "The journal"). The map files themselves are synced only
 * at a checkpoint: when the journal is full, before a compaction deletes files, and at close.
 *
 * <p><b>Format.</b> A 4 KiB header (magic, version, epoch, CRC32C), then records: {@code int}
 * body length, {@code int} CRC32C of the body, and the body: {@code long} epoch, {@code byte} op (1
 * put, 2 remove), {@code short} file-name length, the name (UTF-8), {@code long} key, {@code int}
 * value length and the value. A reset writes a header with the next epoch and syncs it before any
 * record of that epoch, so records left from an earlier epoch are never replayed; replay stops at
 * the first record that is torn, fails its CRC or belongs to another epoch.
 *
 * <p><b>Recovery.</b> After an unclean shutdown, {@link #replay} re-applies the records of the
 * current epoch, in order, to the map files they name, before the store reads them: a power cut
 * may have lost any map page written since the last checkpoint, but not a record the journal
 * synced. Every put and remove is idempotent, so replaying records the maps already hold changes
 * nothing. The file is zero-filled when created, so that syncing a record never has to allocate.
 * Not thread-safe (the store's monitor guards it).
 */
final class Journal implements AutoCloseable {
  static final String FILE = "journal.log";
  private static final int MAGIC = 0x4d504a31; // "MPJ1"
  private static final int VERSION = 1;
  static final int HEADER_BYTES = 4096;
  private static final byte PUT = 1;
  private static final byte REMOVE = 2;
  private static final int RECORD_OVERHEAD = 4 + 4 + 8 + 1 + 2 + 8 + 4;

  /** One replayed record: a put (value non-null) or a remove of {@code key} in map file {@code name}. */
  record Op(String name, long key, byte[] value) {}

  private final Path file;
  private final FileChannel channel;
  private final long capacity;
  private long epoch;
  // Where the next record goes; records below it (from HEADER_BYTES) are synced.
  private long position;
  private ByteBuffer pending = ByteBuffer.allocate(64 << 10);

  private Journal(Path file, FileChannel channel, long capacity, long epoch) {
    this.file = file;
    this.channel = channel;
    this.capacity = capacity;
    this.epoch = epoch;
    this.position = HEADER_BYTES;
  }

  /** The journal size for a store whose largest vote is {@code voteBytesMax} bytes. */
  static long capacityFor(int voteBytesMax) {
    return Math.min(4L << 20, Math.max(256L << 10, 2L * voteBytesMax));
  }

  /**
   * Opens {@code dir}'s journal for writing, creating or growing it (zero-filled) to {@code
   * capacity} bytes, and starts a new epoch: records from earlier epochs are dead from here on.
   * Call only after {@link #replay}.
   */
  static Journal openForWriting(Path dir, long capacity) {
    Path file = dir.resolve(FILE);
    FileChannel channel = null;
    try {
      boolean existed = Files.exists(file);
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      long epoch = existed ? readEpoch(channel) : 0;
      if (epoch < 0) {
        // No valid header: the epochs of the records in it are unknown, so start far from them.
        epoch = System.currentTimeMillis() << 20;
      }
      if (channel.size() < capacity) {
        zeroFill(channel, channel.size(), capacity);
      }
      Journal j = new Journal(file, channel, Math.max(capacity, channel.size()), epoch);
      j.reset();
      if (!existed) {
        Disk.syncDirectory(dir);
      }
      return j;
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      throw new StoreIoException("cannot open the journal " + file + ": "
          + StoreIoException.reason(e), e);
    }
  }

  /** Deletes {@code dir}'s journal, durably, if it exists (a PROCESS-mode open keeps none). */
  static void delete(Path dir) {
    Disk.deleteDurably(dir.resolve(FILE));
  }

  private static void zeroFill(FileChannel channel, long from, long to) throws IOException {
    ByteBuffer zeros = ByteBuffer.allocate(64 << 10);
    for (long at = from; at < to; ) {
      zeros.clear().limit((int) Math.min(zeros.capacity(), to - at));
      at += channel.write(zeros, at);
    }
    channel.force(true);
  }

  private static long readEpoch(FileChannel channel) throws IOException {
    ByteBuffer h = ByteBuffer.allocate(20);
    if (channel.read(h, 0) < 20) {
      return 0;
    }
    h.flip();
    int magic = h.getInt();
    int version = h.getInt();
    long epoch = h.getLong();
    int crc = h.getInt();
    if (magic != MAGIC || version != VERSION || crc != crc(h.array(), 0, 16)) {
      return -1; // no valid header: nothing in it may be replayed
    }
    return epoch;
  }

  /**
   * The records of the current epoch, in write order, up to the first that is torn, damaged or of
   * another epoch; none if there is no journal or no valid header.
   */
  static List<Op> replay(Path dir) {
    Path file = dir.resolve(FILE);
    List<Op> ops = new ArrayList<>();
    if (!Files.exists(file)) {
      return ops;
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long epoch = readEpoch(channel);
      if (epoch < 0) {
        return ops;
      }
      long at = HEADER_BYTES;
      long size = channel.size();
      ByteBuffer head = ByteBuffer.allocate(8);
      while (at + 8 <= size) {
        head.clear();
        channel.read(head, at);
        head.flip();
        int length = head.getInt();
        int crc = head.getInt();
        if (length < RECORD_OVERHEAD - 8 || at + 8 + length > size) {
          break;
        }
        ByteBuffer body = ByteBuffer.allocate(length);
        while (body.hasRemaining() && channel.read(body, at + 8 + body.position()) > 0) {
          // read fully
        }
        if (body.hasRemaining() || crc != crc(body.array(), 0, length)) {
          break;
        }
        body.flip();
        if (body.getLong() != epoch) {
          break;
        }
        byte op = body.get();
        byte[] name = new byte[body.getShort()];
        body.get(name);
        long key = body.getLong();
        byte[] value = new byte[body.getInt()];
        body.get(value);
        ops.add(new Op(new String(name, StandardCharsets.UTF_8), key, op == PUT ? value : null));
        at += 8 + length;
      }
      return ops;
    } catch (IOException | RuntimeException e) {
      throw new StoreIoException("cannot read the journal " + file + ": "
          + StoreIoException.reason(e), e);
    }
  }

  /** Queues a put ({@code value} non-null) or a remove of {@code key} in map file {@code name}. */
  void record(String name, long key, byte[] value) {
    record(name(name), key, value);
  }

  /** {@return a map file's name as {@link #record(byte[], long, byte[])} takes it} */
  static byte[] name(String fileName) {
    return fileName.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Queues a put ({@code value} non-null) or a remove of {@code key} in the map file whose
   * {@link #name(String)} is {@code n}.
   */
  void record(byte[] n, long key, byte[] value) {
    int valueBytes = value == null ? 0 : value.length;
    int length = RECORD_OVERHEAD - 8 + n.length + valueBytes;
    if (pending.remaining() < 8 + length) {
      ByteBuffer bigger = ByteBuffer.allocate(Math.max(pending.capacity() * 2,
          pending.position() + 8 + length));
      pending.flip();
      bigger.put(pending);
      pending = bigger;
    }
    int start = pending.position();
    pending.putInt(length).putInt(0).putLong(epoch).put(value == null ? REMOVE : PUT)
        .putShort((short) n.length).put(n).putLong(key).putInt(valueBytes);
    if (value != null) {
      pending.put(value);
    }
    pending.putInt(start + 4, crc(pending.array(), start + 8, length));
  }

  /** {@return true if records are queued since the last sync} */
  boolean hasPending() {
    return pending.position() > 0;
  }

  /**
   * Makes every queued record durable with one fdatasync. If they do not fit in what is left of
   * the file, runs {@code checkpoint} instead (which must make every map file durable, and so the
   * records' writes too) and starts a new epoch.
   */
  void sync(Runnable checkpoint) {
    if (!hasPending()) {
      return;
    }
    if (position + pending.position() > capacity) {
      checkpoint(checkpoint);
      return;
    }
    try {
      pending.flip();
      while (pending.hasRemaining()) {
        position += channel.write(pending, position);
      }
      pending.clear();
      channel.force(false);
    } catch (IOException | RuntimeException e) {
      throw new StoreIoException("cannot sync the journal " + file + ": "
          + StoreIoException.reason(e), e);
    }
  }

  /** Runs {@code syncMaps} (every map file durable), then starts a new epoch. */
  void checkpoint(Runnable syncMaps) {
    syncMaps.run();
    reset();
  }

  /** Writes and syncs the header of the next epoch; queued records are dropped. */
  private void reset() {
    epoch++;
    ByteBuffer h = ByteBuffer.allocate(20);
    h.putInt(MAGIC).putInt(VERSION).putLong(epoch);
    h.putInt(crc(h.array(), 0, 16));
    h.flip();
    try {
      while (h.hasRemaining()) {
        channel.write(h, h.position());
      }
      channel.force(false);
    } catch (IOException | RuntimeException e) {
      throw new StoreIoException("cannot reset the journal " + file + ": "
          + StoreIoException.reason(e), e);
    }
    position = HEADER_BYTES;
    pending.clear();
  }

  /** {@return the epoch records are written under now} */
  long epoch() {
    return epoch;
  }

  private static int crc(byte[] bytes, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(bytes, off, len);
    return (int) c.getValue();
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // closing after a failure
      }
    }
  }

  @Override
  public void close() {
    closeQuietly(channel);
  }
}
