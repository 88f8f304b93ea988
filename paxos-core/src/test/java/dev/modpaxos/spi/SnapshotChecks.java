package dev.modpaxos.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Random;
import java.util.zip.CRC32C;

/** Helpers for the snapshot cases of {@link StoreContract} and of store-specific tests (R20). */
public final class SnapshotChecks {
  private SnapshotChecks() {}

  /** {@code n} bytes that depend on {@code slot}. */
  public static byte[] snapshotBytes(long slot, int n) {
    byte[] bytes = new byte[n];
    new Random(slot * 7919L + n).nextBytes(bytes);
    return bytes;
  }

  public static int crc32c(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length);
    return (int) crc.getValue();
  }

  /** Writes {@code bytes} as the snapshot of {@code slot}, in pieces, and commits it. */
  public static StoredSnapshot commitSnapshot(Store s, long slot, byte[] bytes) {
    SnapshotSink sink = s.openSnapshot(slot);
    assertThat(sink.slot()).isEqualTo(slot);
    write(sink, bytes, (int) sink.sizeBytes(), bytes.length);
    assertThat(sink.sizeBytes()).isEqualTo(bytes.length);
    assertThat(sink.crc32c()).isEqualTo(crc32c(bytes, bytes.length));
    return sink.commit();
  }

  public static void write(SnapshotSink sink, byte[] bytes, int from, int to) {
    try {
      for (int off = from; off < to; off += 777) {
        int n = Math.min(777, to - off);
        if (n == 777) {
          sink.stream().write(bytes, off, n);
        } else {
          for (int i = off; i < off + n; i++) {
            sink.stream().write(bytes[i]); // single bytes too
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code snapshot} is of {@code slot} and holds {@code bytes}, read whole and in chunks. */
  public static void assertSnapshot(StoredSnapshot snapshot, long slot, byte[] bytes) {
    assertThat(snapshot).as("snapshot of slot %d", slot).isNotNull();
    assertThat(snapshot.slot()).isEqualTo(slot);
    assertThat(snapshot.sizeBytes()).isEqualTo(bytes.length);
    assertThat(snapshot.crc32c()).isEqualTo(crc32c(bytes, bytes.length));
    try (InputStream in = snapshot.open()) {
      assertThat(in.readAllBytes()).isEqualTo(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ByteArrayOutputStream chunks = new ByteArrayOutputStream();
    for (long off = 0; off < bytes.length; off += 1000) {
      byte[] chunk = snapshot.read(off, 1000);
      assertThat(chunk.length).isEqualTo((int) Math.min(1000, bytes.length - off));
      chunks.writeBytes(chunk);
    }
    assertThat(chunks.toByteArray()).isEqualTo(bytes);
  }
}
