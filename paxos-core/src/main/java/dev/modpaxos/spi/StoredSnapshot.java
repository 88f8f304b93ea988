package dev.modpaxos.spi;

import java.io.InputStream;

/**
 * A snapshot a {@link Store} holds, complete and verified (docs/PROTOCOL.md R20): the state as of
 * {@link #slot()}, as the runtime wrote it (its own header, the protocol's state, then the
 * application's). <b>Thread-safe</b>; every method may block on I/O and throws {@link
 * StoreException} if the snapshot cannot be read (for example after a newer one replaced it).
 */
public interface StoredSnapshot {
  /** {@return the slot covered: every slot up to and including it} */
  long slot();

  /** {@return the snapshot's length in bytes} */
  long sizeBytes();

  /** {@return the CRC-32C of all {@link #sizeBytes()} bytes} */
  int crc32c();

  /**
   * Reads part of the snapshot.
   *
   * @param offset where to start, {@code 0 <= offset < sizeBytes()}
   * @param max the most bytes to read
   * @return up to {@code max} bytes from {@code offset}
   */
  byte[] read(long offset, int max);

  /** {@return the whole snapshot as a stream, from its first byte; the caller closes it} */
  InputStream open();
}
