package dev.modpaxos.protocol;

/**
 * Identifies an entry: the node that logged it and its per-origin sequence number (R3).
 *
 * <p>The top bits of {@code seq} hold the origin's member generation (R4, R16): generation
 * {@code g} numbers its entries from {@link #firstSeq(int) firstSeq(g)} = {@code (g - 1) * 2^48 +
 * 1}, so a member re-admitted under a new generation never hands out an id its forgotten
 * incarnation may have used. Generation 1 uses seqs 1, 2, 3, ... Origin {@link #CONTROL} marks a
 * control entry (a membership change, R17), whose seq is the nonce of the change.
 */
public record EntryId(int origin, long seq) implements Comparable<EntryId> {
  /** The origin of control entries (R17); never a member id. */
  public static final int CONTROL = 0;
  /** Bits of {@code seq} below the generation. */
  public static final int SEQ_BITS = 48;

  /**
   * The first seq of {@code generation} ({@code >= 1}).
   *
   * @param generation the member generation, {@code 1..}{@link #maxGeneration()}
   * @return the first seq that generation issues
   */
  public static long firstSeq(int generation) {
    if (generation < 1 || generation > maxGeneration()) {
      throw new IllegalArgumentException("generation must be in 1.." + maxGeneration()
          + ", got " + generation);
    }
    return ((long) (generation - 1) << SEQ_BITS) + 1;
  }

  /** {@return the highest generation whose seqs fit in a positive long} */
  public static int maxGeneration() {
    return 1 << (63 - SEQ_BITS);
  }

  /**
   * {@return the origin's member generation that issued this id; meaningless for control entries}
   */
  public int generation() {
    return (int) ((seq - 1) >>> SEQ_BITS) + 1;
  }

  /** {@return true for a control entry (a membership change, R17)} */
  public boolean isControl() {
    return origin == CONTROL;
  }

  @Override
  public int compareTo(EntryId other) {
    int byOrigin = Integer.compare(origin, other.origin);
    return byOrigin != 0 ? byOrigin : Long.compare(seq, other.seq);
  }

  @Override
  public String toString() {
    if (origin == CONTROL) {
      return "ctl:" + Long.toHexString(seq);
    }
    int g = generation();
    return g == 1 ? origin + ":" + seq : origin + ":g" + g + ":" + (seq - firstSeq(g) + 1);
  }
}
