package dev.modpaxos.spi;

import java.io.InputStream;

/**
 * A snapshot a {@link Store} holds, complete and verified (docs/PROTOCOL.md R20): the state as of
 * {@link #slot()}, as the runtime wrote it (its own header, the protocol's state, then the
 * application's). <b>Thread-safe</b>; every method may block on I/O and throws {@link
 * StoreException} if the snapshot cannot be read (for example after a newer one replaced it).
 */
public interface StoredSnapshot {
  /** Every slot up to and including this one is covered. */
  long slot();

  /** The snapshot's length in bytes. */
  long sizeBytes();

  /** CRC-32C of all {@link #sizeBytes()} bytes. */
  int crc32c();

  /** Up to {@code max} bytes from {@code offset} ({@code 0 <= offset < sizeBytes()}). */
  byte[] read(long offset, int max);

  /** The whole snapshot as a stream, from its first byte. The caller closes it. */
  InputStream open();
}
