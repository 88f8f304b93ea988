package dev.modpaxos.protocol;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A control entry (docs/PROTOCOL.md R15, "Reserved ids") with which a node that restarted after a
 * crash gives up the entry ids it may have sent out before they were synced: once it is applied
 * in a slot, no entry of {@code member}'s generation {@code generation} with a seq in {@code
 * [from, until)} takes effect in a later slot (R18 admission treats them as taken), except the
 * ids in {@code keep}, which the node still holds durably in its local log. Entries of the range
 * chosen in earlier slots stay chosen; the node has applied them before it takes submits again.
 * Its entry id is derived from its content, so proposing one fence twice is harmless.
 *
 * @param member the node whose ids are fenced
 * @param generation its generation
 * @param from the lowest fenced seq
 * @param until the first seq not fenced
 * @param keep the seqs in the range that stay eligible, ascending
 */
record IdFence(int member, int generation, long from, long until, long[] keep) {
  private static final byte KIND = 'F';
  private static final int HEADER_BYTES = 1 + 4 + 4 + 8 + 8 + 4;
  /** At most this many kept ids: a range is at most one reserve plus one batch. */
  static final int KEEP_MAX = 1 << 16;

  IdFence {
    if (member <= 0 || generation < 1 || from < 1 || until < from || keep.length > KEEP_MAX) {
      throw new IllegalArgumentException("bad id fence of node " + member + " generation "
          + generation + " [" + from + ", " + until + ") keeping " + keep.length);
    }
    for (int i = 0; i < keep.length; i++) {
      if (keep[i] < from || keep[i] >= until || (i > 0 && keep[i] <= keep[i - 1])) {
        throw new IllegalArgumentException("kept seq " + keep[i] + " out of order or range");
      }
    }
  }

  /** True if seq {@code seq} stays eligible. */
  boolean keeps(long seq) {
    return Arrays.binarySearch(keep, seq) >= 0;
  }

  private long seq() {
    long h = member * 0x9E3779B97F4A7C15L ^ generation * 0xC2B2AE3D27D4EB4FL;
    h = (h ^ from) * 0x165667B19E3779F9L;
    h = (h ^ until) * 0x9E3779B97F4A7C15L;
    h ^= Arrays.hashCode(keep) * 0x27D4EB2F165667C5L;
    return Readmission.normalise(h ^ (h >>> 29));
  }

  Entry toEntry() {
    ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + 8 * keep.length);
    buf.put(KIND).putInt(member).putInt(generation).putLong(from).putLong(until)
        .putInt(keep.length);
    for (long k : keep) {
      buf.putLong(k);
    }
    return new Entry(EntryId.CONTROL, seq(), buf.array());
  }

  /** The fence {@code e} encodes, or null if it is not a well-formed one. */
  static IdFence of(Entry e) {
    if (!e.id().isControl() || e.payloadSize() < HEADER_BYTES) {
      return null;
    }
    ByteBuffer buf = ByteBuffer.wrap(e.payload());
    if (buf.get() != KIND) {
      return null;
    }
    int member = buf.getInt();
    int generation = buf.getInt();
    long from = buf.getLong();
    long until = buf.getLong();
    int n = buf.getInt();
    if (n < 0 || n > KEEP_MAX || buf.remaining() != 8L * n) {
      return null;
    }
    long[] keep = new long[n];
    for (int i = 0; i < n; i++) {
      keep[i] = buf.getLong();
    }
    try {
      IdFence f = new IdFence(member, generation, from, until, keep);
      return f.seq() == e.seq() ? f : null;
    } catch (IllegalArgumentException bad) {
      return null;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IdFence f && f.member == member && f.generation == generation
        && f.from == from && f.until == until && Arrays.equals(f.keep, keep);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(seq());
  }

  @Override
  public String toString() {
    return "IdFence[node " + member + " generation " + generation + " [" + from + ", " + until
        + ") keeping " + keep.length + "]";
  }
}
