package dev.modpaxos.protocol;

import java.nio.ByteBuffer;

/**
 * A control entry (R21) that changes the configuration: adds {@code member} as a learner at
 * {@code generation}, promotes that learner to a voter, or removes the member at that generation.
 * It takes effect only if it still applies when its slot is applied ({@link
 * Membership#refusal}), so a stale or duplicated request that is chosen late changes nothing. Its
 * entry id is derived from all four fields, so proposing one request twice is harmless: an id is
 * chosen at most once.
 *
 * @param op what to change
 * @param member the node id it changes
 * @param generation the generation it applies to: the one the learner is added at, or the
 *     member's current one
 * @param request a number that tells requests apart (any value; a random one per request)
 */
record Reconfig(ReconfigOp op, int member, int generation, long request) {

  private static final byte KIND = 'M';
  private static final int BYTES = 1 + 1 + 4 + 4 + 8;

  Reconfig {
    if (member <= 0) {
      throw new IllegalArgumentException("member ids are positive, got " + member);
    }
    if (generation < 1) {
      throw new IllegalArgumentException("generation must be >= 1, got " + generation);
    }
  }

  private long seq() {
    long h = request * 0x9E3779B97F4A7C15L;
    h ^= ((long) op.ordinal() << 56) ^ ((long) member << 24) ^ generation;
    h *= 0xC2B2AE3D27D4EB4FL;
    return Readmission.normalise(h ^ (h >>> 29));
  }

  Entry toEntry() {
    ByteBuffer buf = ByteBuffer.allocate(BYTES);
    buf.put(KIND).put((byte) op.ordinal()).putInt(member).putInt(generation).putLong(request);
    return new Entry(EntryId.CONTROL, seq(), buf.array());
  }

  /** The reconfiguration {@code e} encodes, or null if it is not a well-formed one. */
  static Reconfig of(Entry e) {
    if (!e.id().isControl() || e.payloadSize() != BYTES) {
      return null;
    }
    ByteBuffer buf = ByteBuffer.wrap(e.payload());
    if (buf.get() != KIND) {
      return null;
    }
    int op = buf.get();
    int member = buf.getInt();
    int generation = buf.getInt();
    long request = buf.getLong();
    if (op < 0 || op >= ReconfigOp.values().length || member <= 0 || generation < 1) {
      return null;
    }
    Reconfig r = new Reconfig(ReconfigOp.values()[op], member, generation, request);
    return r.seq() == e.seq() ? r : null;
  }
}
