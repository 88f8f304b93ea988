package dev.modpaxos.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * An {@link Application} whose state can be saved as of a slot and restored, so that a node keeps
 * a bounded history and a peer far behind installs the state instead of replaying every block
 * (docs/PROTOCOL.md R20).
 *
 * <p><b>The contract.</b>
 * <ul>
 *   <li>{@link #snapshot} is called on the event loop right after slot {@code slot} was applied
 *       and before the next one is: what the returned writer writes must be exactly the state as
 *       of {@code slot}, however many blocks are applied meanwhile. Capture it here, cheaply: an
 *       immutable view, a copy-on-write structure, or a copy of a small state. The loop waits only
 *       for this call.
 *   <li>{@link SnapshotWriter#writeTo} then runs on another thread and streams the captured
 *       state; it must not touch the live state. Its bytes must be deterministic: every replica
 *       writes the same bytes for the same slot (a peer may fetch it from any node).
 *   <li>{@link #restore} is called on the event loop, at start-up or when a snapshot from a
 *       peer is installed, and replaces the whole state with the one read from the stream; blocks
 *       after {@code slot} are applied next. It may block for the read.
 *   <li>Whatever the application needs for exactly-once (the ids it applied, say) is part of
 *       its state, hence of the snapshot; the protocol's own dedup index travels with it.
 * </ul>
 *
 * <p>An exception from any of these stops the node, like one from {@code apply} (fail-stop),
 * except that a failed {@code writeTo} only skips that snapshot.
 */
public interface SnapshotApplication extends Application {

  /**
   * Captures the state as of {@code slot}, just applied; the writer streams it later.
   *
   * @param slot the slot just applied
   * @return streams the captured state, on another thread
   */
  SnapshotWriter snapshot(long slot);

  /**
   * Replaces the whole state with the snapshot of {@code slot} read from {@code in}.
   *
   * @param slot the slot the snapshot covers
   * @param in the application's part of the snapshot
   * @throws IOException if it cannot be read (the node stops)
   */
  void restore(long slot, InputStream in) throws IOException;

  /** Streams one captured state. Runs once, on a thread that is not the event loop. */
  @FunctionalInterface
  interface SnapshotWriter {
    /**
     * Writes the captured state.
     *
     * @param out where it goes; do not close it
     * @throws IOException if writing fails (that snapshot is skipped)
     */
    void writeTo(OutputStream out) throws IOException;
  }
}
