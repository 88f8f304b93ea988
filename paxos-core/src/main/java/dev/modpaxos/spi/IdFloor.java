package dev.modpaxos.spi;

/**
 * The entry ids a leader may have sent out ahead of their sync (docs/PROTOCOL.md R15, "Reserved
 * ids"): seqs in {@code [from, until)} of its current generation. A node writes one before it
 * first sends its own new entries while they sync, and a larger one as it uses them up; a clean
 * stop writes {@link #NONE}. A node that finds one after a crash hands out no id below {@code
 * until} again and has the ids of the range it no longer holds fenced before it takes submits.
 *
 * @param from the lowest seq that may have been sent unsynced (inclusive)
 * @param until the first seq not yet handed out (exclusive), at least {@code from}
 */
public record IdFloor(long from, long until) {
  /** No id may be in flight unsynced: written by a clean stop, and what a new store holds. */
  public static final IdFloor NONE = new IdFloor(0, 0);

  /**
   * Checks the range.
   *
   * @param from see {@link #from()}
   * @param until see {@link #until()}
   */
  public IdFloor {
    if (from < 0 || until < from) {
      throw new IllegalArgumentException("bad id floor [" + from + ", " + until + ")");
    }
  }

  /** {@return true for {@link #NONE}-like ranges: nothing reserved} */
  public boolean isNone() {
    return until == 0;
  }
}
