package dev.modpaxos.protocol;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One unit of work logged locally by its origin node: {@code (origin, seq, payload)}, unique by
 * {@code (origin, seq)} (docs/PROTOCOL.md R3). The payload is opaque to the protocol.
 *
 * <p>Immutable: the payload array is copied on the way in and never handed out.
 */
public final class Entry {
  private final EntryId id;
  private final byte[] payload;

  /**
   * An entry of {@code origin}'s local log with sequence number {@code seq} ({@code >= 1}); the
   * payload is copied.
   *
   * @param origin the node whose local log the entry starts in
   * @param seq the entry's sequence number at its origin, {@code >= 1}
   * @param payload the opaque payload, copied
   */
  public Entry(int origin, long seq, byte[] payload) {
    if (seq < 1) {
      throw new IllegalArgumentException("entry seq must be >= 1, got " + seq);
    }
    this.id = new EntryId(origin, seq);
    this.payload = Objects.requireNonNull(payload, "payload").clone();
  }

  /** {@return the entry's unique id, (origin, seq)} */
  public EntryId id() {
    return id;
  }

  /** {@return the node (or {@link EntryId#CONTROL}) whose local log the entry came from} */
  public int origin() {
    return id.origin();
  }

  /** {@return the entry's sequence number at its origin} */
  public long seq() {
    return id.seq();
  }

  /** {@return a copy of the payload} */
  public byte[] payload() {
    return payload.clone();
  }

  /** {@return the payload's length in bytes} */
  public int payloadSize() {
    return payload.length;
  }

  /**
   * Copies the payload into {@code dst} at {@code offset}; avoids an allocation on hot paths.
   *
   * @param dst the array to copy into
   * @param offset where in {@code dst} the payload starts
   */
  public void copyPayloadTo(byte[] dst, int offset) {
    System.arraycopy(payload, 0, dst, offset, payload.length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Entry other && id.equals(other.id) && Arrays.equals(payload, other.payload);
  }

  @Override
  public int hashCode() {
    return 31 * id.hashCode() + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    String hex = HexFormat.of().formatHex(payload, 0, Math.min(payload.length, 8));
    return id + "[" + payload.length + "B " + hex + (payload.length > 8 ? "…" : "") + "]";
  }
}
