package dev.modpaxos.protocol;

/**
 * Checks a replica's internal invariants (the "Invariant:" comments on its fields). Always on in
 * tests and in the simulator; the runtime does not call it on the hot path.
 */
public final class Invariants {
  private Invariants() {}

  /**
   * Throws {@link IllegalStateException} naming the broken invariant, if any.
   *
   * @param replica the replica to check; call it on the replica's own thread
   */
  public static void check(Replica replica) {
    replica.checkInvariants();
  }

  static void require(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new IllegalStateException("invariant broken: " + String.format(format, args));
    }
  }
}
