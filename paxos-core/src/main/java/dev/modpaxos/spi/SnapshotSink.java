package dev.modpaxos.spi;

import java.io.OutputStream;

/**
 * A snapshot being written, under a temporary name until {@link #commit()} (docs/PROTOCOL.md
 * R20). Used by one thread at a time, which need not be the node's event loop: a node writes its
 * own snapshots on a background thread, and an install's chunks on the loop. A sink that is
 * neither committed nor aborted when the process dies survives as a partial snapshot: {@link
 * Store#openSnapshot} with the same slot resumes it at {@link #sizeBytes()}.
 */
public interface SnapshotSink {
  /** {@return the slot this snapshot covers} */
  long slot();

  /** {@return bytes written so far, including those of an earlier run that this sink resumed} */
  long sizeBytes();

  /** {@return the CRC-32C of every byte written so far} */
  int crc32c();

  /** {@return where the bytes go, appending after {@link #sizeBytes()}; do not close it} */
  OutputStream stream();

  /**
   * Makes the snapshot durable and current, atomically (written, synced, renamed into place): a
   * crash leaves either the previous snapshot or this one. Older snapshots may be deleted.
   *
   * @return the committed snapshot
   */
  StoredSnapshot commit();

  /** Discards what was written. Idempotent. */
  void abort();
}
