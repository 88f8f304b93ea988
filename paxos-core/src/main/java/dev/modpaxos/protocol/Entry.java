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

  public Entry(int origin, long seq, byte[] payload) {
    if (seq < 1) {
      throw new IllegalArgumentException("entry seq must be >= 1, got " + seq);
    }
    this.id = new EntryId(origin, seq);
    this.payload = Objects.requireNonNull(payload, "payload").clone();
  }

  public EntryId id() {
    return id;
  }

  public int origin() {
    return id.origin();
  }

  public long seq() {
    return id.seq();
  }

  /** A copy of the payload. */
  public byte[] payload() {
    return payload.clone();
  }

  public int payloadSize() {
    return payload.length;
  }

  /** Copies the payload into {@code dst} at {@code offset}; avoids an allocation on hot paths. */
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
