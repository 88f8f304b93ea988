package dev.modpaxos.protocol;

import java.nio.ByteBuffer;

/**
 * A control entry (R17) asking the cluster to replace generation {@code replaces} of {@code
 * member} with the next one, bound to the incarnation whose store holds {@code nonce}. It takes
 * effect only if {@code replaces} is still the member's current generation when it is applied, so
 * a stale request (an older incarnation's, or one made before the requester caught up) that is
 * chosen late changes nothing. Its entry id is derived from the nonce and {@code replaces}, so
 * proposing one request twice is harmless: an id is chosen at most once.
 *
 * @param member the member id to re-admit
 * @param nonce the requesting incarnation's nonce (>= 1)
 * @param replaces the generation of {@code member} this request replaces
 */
record Readmission(int member, long nonce, int replaces) {
  private static final byte KIND = 'R';
  private static final int BYTES = 1 + 4 + 8 + 4;

  Readmission {
    if (nonce < 1) {
      throw new IllegalArgumentException("nonce must be >= 1, got " + nonce);
    }
  }

  /** A usable nonce from any 64 random bits: positive, never 0. */
  static long normalise(long random) {
    long n = random & Long.MAX_VALUE;
    return n == 0 ? 1 : n;
  }

  private long seq() {
    return normalise(nonce ^ (replaces * 0x9E3779B97F4A7C15L));
  }

  Entry toEntry() {
    ByteBuffer buf = ByteBuffer.allocate(BYTES);
    buf.put(KIND).putInt(member).putLong(nonce).putInt(replaces);
    return new Entry(EntryId.CONTROL, seq(), buf.array());
  }

  /** The re-admission {@code e} encodes, or null if it is not a well-formed one. */
  static Readmission of(Entry e) {
    if (!e.id().isControl() || e.payloadSize() != BYTES) {
      return null;
    }
    ByteBuffer buf = ByteBuffer.wrap(e.payload());
    if (buf.get() != KIND) {
      return null;
    }
    int member = buf.getInt();
    long nonce = buf.getLong();
    int replaces = buf.getInt();
    if (member <= 0 || nonce < 1 || replaces < 1) {
      return null;
    }
    Readmission r = new Readmission(member, nonce, replaces);
    return r.seq() == e.seq() ? r : null;
  }
}
