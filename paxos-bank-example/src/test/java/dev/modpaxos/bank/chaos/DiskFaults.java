package dev.modpaxos.bank.chaos;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The file-level part of the disk faults: a tmpfs per data directory (mounted as root), filling
 * it, and finding and flipping bytes of a chosen-block record in a store's {@code chosen-*.cm}
 * files. Test-only; stateless.
 */
final class DiskFaults {
  /**
   * The size of each data directory's tmpfs. A ChronicleStore preallocates its files (about 343
   * MB for the acceptor file and the local log with the default config, and about 35 MB per chosen
   * file of 4,096 blocks), so this leaves room for a 30-minute run's store (about 18,000 slots,
   * five chosen files) before the diskfull fault's filler takes the rest.
   */
  static final int TMPFS_MEGABYTES = 1024;
  static final String FILLER = "filler";
  private static final byte CHOSEN = 3; // RecordCodec.CHOSEN

  private DiskFaults() {}

  /** Mounts a tmpfs on {@code dir} (created if absent); returns null or why it failed. */
  static String mount(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    return run("mount", "-t", "tmpfs", "-o", "size=" + TMPFS_MEGABYTES + "m", "tmpfs",
        dir.toAbsolutePath().toString());
  }

  /** Unmounts every mount point at or under {@code root} (deepest first); ignores failures. */
  static void unmountAll(Path root) {
    Path abs = root.toAbsolutePath().normalize();
    List<Path> points = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
        String[] f = line.split(" ");
        if (f.length > 1 && Path.of(f[1]).startsWith(abs)) {
          points.add(Path.of(f[1]));
        }
      }
      points.sort(Comparator.comparingInt(Path::getNameCount).reversed());
      for (Path p : points) {
        run("umount", "-l", p.toString());
      }
    } catch (IOException e) {
      // no /proc/mounts: nothing was mounted by us
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Writes a filler file into {@code dir} until the disk is full; returns the bytes written. */
  static long fill(Path dir) {
    byte[] chunk = new byte[1 << 20];
    long written = 0;
    try (OutputStream out = Files.newOutputStream(dir.resolve(FILLER))) {
      for (int i = 0; i < 4 * TMPFS_MEGABYTES; i++) {
        out.write(chunk);
        written += chunk.length;
      }
    } catch (IOException e) {
      // the disk is full
    }
    return written;
  }

  /** Deletes everything inside {@code dir}, keeping {@code dir} itself (it may be a mount point). */
  static void deleteContents(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        if (!p.equals(dir)) {
          Files.delete(p);
        }
      }
    }
  }

  /** The chosen-block files of a store directory, by name. */
  static List<Path> chosenFiles(Path dir) throws IOException {
    try (Stream<Path> paths = Files.list(dir)) {
      return paths.filter(p -> p.getFileName().toString().matches("chosen-\\d+\\.cm"))
          .sorted().toList();
    }
  }

  /**
   * The chosen records in a Chronicle map file, found by their own format (RecordCodec: crc32c
   * kind=3 syncedSlot block) and confirmed by their checksum, which covers the map key: each as
   * {offset of the first entry's payload, payload length, slot}. Chronicle's header and entry
   * framing around them are never touched.
   */
  static List<long[]> chosenRecords(Path file) throws IOException {
    List<long[]> out = new ArrayList<>();
    ByteBuffer b;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      b = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
    }
    for (int p = 12; p + 30 < b.limit(); p++) {
      if (b.get(p) != CHOSEN) {
        continue;
      }
      long synced = b.getLong(p + 1);
      int count = b.getInt(p + 9);
      if (synced < 0 || synced > 1L << 32 || count < 1 || count > 100_000) {
        continue;
      }
      int end = entriesEnd(b, p + 13, count);
      if (end < 0) {
        continue;
      }
      long slot = slotOf(b, p, end);
      if (slot > 0) {
        out.add(new long[] {p + 13 + 16, b.getInt(p + 13 + 12), slot});
        p = end - 1;
      }
    }
    return out;
  }

  /** The end of {@code count} entries starting at {@code at}, or -1 if they do not parse. */
  private static int entriesEnd(ByteBuffer b, int at, int count) {
    int q = at;
    for (int i = 0; i < count; i++) {
      if (q + 16 > b.limit()) {
        return -1;
      }
      int origin = b.getInt(q);
      int length = b.getInt(q + 12);
      if (origin < 0 || origin > 64 || length < 1 || length > 1 << 20 || q + 16 + length > b.limit()) {
        return -1;
      }
      q += 16 + length;
    }
    return q;
  }

  /** The map key whose checksum the record at {@code kindAt}..{@code end} carries, or -1. */
  private static long slotOf(ByteBuffer b, int kindAt, int end) {
    int crc = b.getInt(kindAt - 4);
    byte[] body = new byte[end - kindAt];
    b.get(kindAt, body);
    long synced = b.getLong(kindAt + 1);
    for (long key = Math.max(1, synced - 64); key <= synced + 4096; key++) {
      CRC32C c = new CRC32C();
      c.update(ByteBuffer.allocate(8).putLong(0, key));
      c.update(body);
      if ((int) c.getValue() == crc) {
        return key;
      }
    }
    return -1;
  }

  /** Flips ({@code ^ 0xFF}) {@code n} bytes of {@code file} from {@code offset} on. */
  static void flip(Path file, long offset, int n) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.allocate(n);
      ch.read(buf, offset);
      for (int i = 0; i < n; i++) {
        buf.put(i, (byte) (buf.get(i) ^ 0xFF));
      }
      buf.rewind();
      ch.write(buf, offset);
      ch.force(true);
    }
  }

  private static String run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return String.join(" ", cmd) + " did not end in 30 s";
    }
    return p.exitValue() == 0 ? null : String.join(" ", cmd) + ": " + output;
  }
}
