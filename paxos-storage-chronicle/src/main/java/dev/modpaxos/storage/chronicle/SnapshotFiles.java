package dev.modpaxos.storage.chronicle;

import dev.modpaxos.spi.SnapshotSink;
import dev.modpaxos.spi.StoreException;
import dev.modpaxos.spi.StoredSnapshot;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshots (docs/PROTOCOL.md R20) in {@code snapshots/}: a committed one is {@code
 * snapshot-<slot>.snap}, one being written is {@code snapshot-<slot>.part}. A file is a {@value
 * #HEADER_BYTES}-byte header (magic, version, slot, length, CRC-32C of the body, CRC-32C of the
 * header) and then the body, the bytes the runtime wrote. <b>Thread-safe</b>: sinks are written
 * from any thread, independently of the store's other writes and of its monitor.
 *
 * <p>Opening is two steps, as for {@link ChosenFiles}: {@link #scan} verifies and changes nothing;
 * {@link #repair} deletes the damaged and the superseded snapshots.
 */
final class SnapshotFiles implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SnapshotFiles.class);
  static final String DIR = "snapshots";
  static final int HEADER_BYTES = 32;
  static final String COMMITTED = ".snap";
  static final String PARTIAL = ".part";
  private static final String PREFIX = "snapshot-";
  private static final int MAGIC = 0x4d505346; // "MPSF"
  private static final int VERSION = 1;
  private static final int BUFFER_BYTES = 64 << 10;
  /** Committed snapshots kept: the newest, and the one before it for readers still serving it. */
  static final int KEPT = 2;

  /**
   * What {@link #scan} found.
   *
   * @param newest the newest snapshot that verifies, or null
   * @param damaged slots of committed snapshots above {@code newest} that failed verification
   */
  record Scan(Snap newest, List<Long> damaged) {}

  private final Path dir;
  private final Durability durability;
  // Verified committed snapshots by slot; at most KEPT (plus one just committed below them).
  private final TreeMap<Long, Snap> committed = new TreeMap<>();
  private final List<Path> doomed = new ArrayList<>(); // between scan() and repair()
  // Sinks not yet committed or aborted, by slot; at most one per slot.
  private final Map<Long, Sink> live = new HashMap<>();
  private boolean closed;

  SnapshotFiles(Path storeDir, Durability durability) {
    this.dir = storeDir.resolve(DIR);
    this.durability = durability;
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        Disk.syncDirectory(storeDir);
      }
    } catch (IOException e) {
      throw new StoreException("cannot create " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Verifies the committed snapshots, newest first, up to the first that verifies. */
  synchronized Scan scan() {
    List<Long> damaged = new ArrayList<>();
    Snap newest = null;
    for (long slot : slots(COMMITTED).descendingKeySet()) {
      Path file = file(slot, COMMITTED);
      if (newest != null && committed.size() >= KEPT) {
        doomed.add(file);
        continue;
      }
      try {
        Snap s = verify(file, slot);
        committed.put(slot, s);
        newest = newest == null ? s : newest;
      } catch (StoreException e) {
        log.error("{}: damaged snapshot: {}", file, e.getMessage());
        doomed.add(file);
        if (newest == null) {
          damaged.add(slot);
        }
      }
    }
    return new Scan(newest, List.copyOf(damaged));
  }

  /** Deletes what {@link #scan} found damaged or superseded. */
  synchronized void repair() {
    for (Path f : doomed) {
      Disk.delete(f);
      log.info("deleted {}", f);
    }
    doomed.clear();
  }

  /** The slot of the newest committed snapshot, or -1 if none. */
  synchronized long newestSlot() {
    return committed.isEmpty() ? -1 : committed.lastKey();
  }

  /** Store.openSnapshot: resumes the partial file of {@code slot}, discards those of others. */
  synchronized SnapshotSink open(long slot) {
    requireOpen();
    if (slot < 0) {
      throw new StoreException("no snapshot of slot " + slot);
    }
    for (long other : slots(PARTIAL).keySet()) {
      if (other != slot && !live.containsKey(other)) {
        Disk.delete(file(other, PARTIAL));
      }
    }
    Sink previous = live.remove(slot);
    if (previous != null) {
      previous.release(); // its bytes are on file now; this sink takes them over
    }
    Sink sink = new Sink(slot, file(slot, PARTIAL));
    live.put(slot, sink);
    return sink;
  }

  /**
   * Leaves every open sink's bytes in its partial file, to be resumed by the next opener, and
   * makes later writes to them fail. Idempotent.
   */
  @Override
  public synchronized void close() {
    closed = true;
    for (Sink s : live.values()) {
      s.release();
    }
    live.clear();
  }

  private synchronized Snap committed(Sink sink, Path part) {
    requireOpen();
    live.remove(sink.slot, sink);
    Path target = file(sink.slot, COMMITTED);
    try {
      Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new StoreException("cannot commit " + part + ": " + e, e);
    }
    if (durability == Durability.POWER) {
      Disk.syncDirectory(dir);
    }
    Snap s = new Snap(target, sink.slot, sink.size, sink.crcValue());
    committed.put(sink.slot, s);
    // Older ones go once KEPT newer exist; a deletion a crash loses is redone by the next open.
    while (committed.size() > KEPT && committed.firstKey() != sink.slot) {
      Disk.delete(committed.pollFirstEntry().getValue().file());
    }
    return s;
  }

  private synchronized void aborted(Sink sink, Path part) {
    if (closed || live.get(sink.slot) != sink) {
      return; // left for a resume after a restart, or taken over by a newer sink
    }
    live.remove(sink.slot);
    Disk.delete(part);
  }

  private void requireOpen() {
    if (closed) {
      throw new StoreException("the store of " + dir + " is closed");
    }
  }

  private TreeMap<Long, Path> slots(String suffix) {
    TreeMap<Long, Path> found = new TreeMap<>();
    try (Stream<Path> paths = Files.list(dir)) {
      for (Path p : paths.toList()) {
        String n = p.getFileName().toString();
        if (n.startsWith(PREFIX) && n.endsWith(suffix)) {
          try {
            found.put(Long.parseLong(n.substring(PREFIX.length(), n.length() - suffix.length())), p);
          } catch (NumberFormatException e) {
            log.warn("{}: not a snapshot file name, ignored", p);
          }
        }
      }
    } catch (IOException e) {
      throw new StoreException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    return found;
  }

  Path file(long slot, String suffix) {
    return dir.resolve(String.format("%s%019d%s", PREFIX, slot, suffix));
  }

  // ---- the header ---------------------------------------------------------------------------

  private static ByteBuffer header(long slot, long length, int crc) {
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES);
    b.putInt(MAGIC).putInt(VERSION).putLong(slot).putLong(length).putInt(crc);
    CRC32C headerCrc = new CRC32C();
    headerCrc.update(b.array(), 0, HEADER_BYTES - 4);
    b.putInt((int) headerCrc.getValue());
    return b.flip();
  }

  /**
   * Reads a header of {@code slot}: {length, body CRC, 1 if the header's own CRC matches}; null if
   * the file is shorter than a header or the header is not one of {@code slot}.
   */
  private static long[] readHeader(FileChannel ch, long slot) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES);
    while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
      // read until full or end of file
    }
    if (b.hasRemaining()) {
      return null;
    }
    b.flip();
    CRC32C headerCrc = new CRC32C();
    headerCrc.update(b.array(), 0, HEADER_BYTES - 4);
    if (b.getInt() != MAGIC || b.getInt() != VERSION || b.getLong() != slot) {
      return null;
    }
    long length = b.getLong();
    int crc = b.getInt();
    boolean intact = b.getInt() == (int) headerCrc.getValue();
    return new long[] {length, crc, intact ? 1 : 0};
  }

  /** Checks a committed file's header against its name and size, and its body's CRC-32C. */
  private static Snap verify(Path file, long slot) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long[] h = readHeader(ch, slot);
      if (h == null || h[2] == 0) {
        throw new StoreException("bad header (not a snapshot of slot " + slot + ")");
      }
      long length = h[0];
      if (length != ch.size() - HEADER_BYTES) {
        throw new StoreException("header says " + length + " bytes, the file holds "
            + (ch.size() - HEADER_BYTES));
      }
      int crc = (int) bodyCrc(ch).getValue();
      if (crc != (int) h[1]) {
        throw new StoreException("CRC-32C of the body does not match its header");
      }
      return new Snap(file, slot, length, crc);
    } catch (IOException e) {
      throw new StoreException("cannot read: " + e.getMessage(), e);
    }
  }

  private static CRC32C bodyCrc(FileChannel ch) throws IOException {
    CRC32C crc = new CRC32C();
    ByteBuffer b = ByteBuffer.allocate(BUFFER_BYTES);
    long pos = HEADER_BYTES;
    for (int n = ch.read(b, pos); n > 0; n = ch.read(b, pos)) {
      b.flip();
      crc.update(b);
      b.clear();
      pos += n;
    }
    return crc;
  }

  // ---- a committed snapshot ------------------------------------------------------------------

  /** A committed, verified snapshot file. Thread-safe: each read opens the file. */
  record Snap(Path file, long slot, long sizeBytes, int crc32c) implements StoredSnapshot {
    @Override
    public byte[] read(long offset, int max) {
      if (offset < 0 || offset > sizeBytes || max < 0) {
        throw new StoreException(
            "offset " + offset + " outside the snapshot of slot " + slot + " (" + sizeBytes + " bytes)");
      }
      ByteBuffer b = ByteBuffer.allocate((int) Math.min(max, sizeBytes - offset));
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        while (b.hasRemaining()) {
          if (ch.read(b, HEADER_BYTES + offset + b.position()) < 0) {
            throw new StoreException(file + " is shorter than its header says");
          }
        }
      } catch (NoSuchFileException e) {
        throw gone();
      } catch (IOException e) {
        throw new StoreException("cannot read " + file + ": " + e.getMessage(), e);
      }
      return b.array();
    }

    @Override
    public InputStream open() {
      try {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        ch.position(HEADER_BYTES);
        return new BufferedInputStream(Channels.newInputStream(ch), BUFFER_BYTES);
      } catch (NoSuchFileException e) {
        throw gone();
      } catch (IOException e) {
        throw new StoreException("cannot read " + file + ": " + e.getMessage(), e);
      }
    }

    private StoreException gone() {
      return new StoreException("the snapshot of slot " + slot + " was replaced by newer ones");
    }
  }

  // ---- a snapshot being written --------------------------------------------------------------

  /** Buffers writes and appends them to the partial file; one thread at a time (SnapshotSink). */
  private final class Sink implements SnapshotSink {
    final long slot;
    private final Path part;
    private FileChannel ch; // null once committed, aborted or released
    private CRC32C crc = new CRC32C();
    long size; // bytes written, buffered ones included
    private long onFile; // body bytes in the file; the buffer's bytes follow them
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
    private final OutputStream stream =
        new OutputStream() {
          @Override
          public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] b, int off, int len) {
            append(b, off, len);
          }
        };

    Sink(long slot, Path part) {
      this.slot = slot;
      this.part = part;
      try {
        ch = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        long[] h = readHeader(ch, slot);
        if (h == null) { // new, or torn while it was created
          ch.truncate(0);
          writeFully(header(slot, -1, 0), 0);
        } else {
          crc = bodyCrc(ch);
          size = ch.size() - HEADER_BYTES;
          onFile = size;
          if (size > 0) {
            log.info("{}: resuming the snapshot of slot {} at {} bytes", part, slot, size);
          }
        }
      } catch (IOException e) {
        closeQuietly();
        throw new StoreException("cannot open " + part + ": " + e.getMessage(), e);
      }
    }

    @Override
    public long slot() {
      return slot;
    }

    @Override
    public synchronized long sizeBytes() {
      return size;
    }

    @Override
    public synchronized int crc32c() {
      return crcValue();
    }

    int crcValue() {
      return (int) crc.getValue();
    }

    @Override
    public OutputStream stream() {
      return stream;
    }

    private synchronized void append(byte[] b, int off, int len) {
      requireWritable();
      crc.update(b, off, len);
      size += len;
      while (len > 0) {
        int n = Math.min(len, buffer.remaining());
        buffer.put(b, off, n);
        off += n;
        len -= n;
        if (!buffer.hasRemaining()) {
          flush();
        }
      }
    }

    private void flush() {
      buffer.flip();
      try {
        int n = buffer.remaining();
        writeFully(buffer, HEADER_BYTES + onFile);
        onFile += n;
      } catch (IOException e) {
        throw new StoreException("cannot write " + part + ": " + e.getMessage(), e);
      } finally {
        buffer.clear();
      }
    }

    private void writeFully(ByteBuffer b, long position) throws IOException {
      while (b.hasRemaining()) {
        position += ch.write(b, position);
      }
    }

    private void requireWritable() {
      if (ch == null) {
        throw new StoreException("the snapshot sink of slot " + slot + " is closed");
      }
    }

    /** Written, synced (POWER), renamed into place, directory synced (POWER). */
    @Override
    public StoredSnapshot commit() {
      synchronized (this) {
        requireWritable();
        try {
          flush();
          writeFully(header(slot, size, crcValue()), 0);
          if (durability == Durability.POWER) {
            ch.force(true);
          }
        } catch (IOException e) {
          throw new StoreException("cannot write " + part + ": " + e.getMessage(), e);
        } finally {
          closeQuietly();
        }
      }
      Snap s = committed(this, part);
      log.debug("committed {} ({} bytes)", s.file(), s.sizeBytes());
      return s;
    }

    @Override
    public void abort() {
      synchronized (this) {
        if (ch == null) {
          return;
        }
        closeQuietly();
      }
      aborted(this, part);
    }

    /** Puts the buffered bytes in the file and closes it, leaving it partial. */
    synchronized void release() {
      if (ch == null) {
        return;
      }
      try {
        flush();
      } finally {
        closeQuietly();
      }
    }

    private void closeQuietly() {
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException e) {
          log.warn("{}: close: {}", part, e.getMessage());
        }
        ch = null;
      }
    }
  }
}
