package dev.modpaxos.protocol;

/**
 * A ballot {@code (round, nodeId, generation)}, totally ordered by round, then node id, then
 * generation (docs/PROTOCOL.md R1). The generation is the proposer's member generation (R16): two
 * incarnations of one member id never issue the same ballot, even if one of them forgot what the
 * other issued.
 *
 * <p>{@link #ZERO} is below every ballot a node can issue; rounds issued by nodes start at 1 and
 * generations at 1.
 */
public record Ballot(long round, int nodeId, int generation) implements Comparable<Ballot> {

  /** The ballot every acceptor starts with; no proposer ever uses it. */
  public static final Ballot ZERO = new Ballot(0, 0, 0);

  /**
   * Validates the components: round and generation are not negative.
   *
   * @param round see {@link #round()}
   * @param nodeId see {@link #nodeId()}
   * @param generation see {@link #generation()}
   */
  public Ballot {
    if (round < 0) {
      throw new IllegalArgumentException("ballot round must be >= 0, got " + round);
    }
    if (generation < 0) {
      throw new IllegalArgumentException("ballot generation must be >= 0, got " + generation);
    }
  }

  /**
   * A ballot of a member's first generation.
   *
   * @param round the round, {@code >= 0}
   * @param nodeId the member that owns the ballot
   */
  public Ballot(long round, int nodeId) {
    this(round, nodeId, 1);
  }

  @Override
  public int compareTo(Ballot other) {
    int byRound = Long.compare(round, other.round);
    if (byRound != 0) {
      return byRound;
    }
    int byNode = Integer.compare(nodeId, other.nodeId);
    return byNode != 0 ? byNode : Integer.compare(generation, other.generation);
  }

  /**
   * {@return true if this ballot is higher than {@code other}}
   *
   * @param other the ballot to compare with
   */
  public boolean isAbove(Ballot other) {
    return compareTo(other) > 0;
  }

  /**
   * {@return true if this ballot is {@code other} or higher}
   *
   * @param other the ballot to compare with
   */
  public boolean isAtLeast(Ballot other) {
    return compareTo(other) >= 0;
  }

  /**
   * The smallest ballot owned by member {@code nodeId} at {@code generation} above this one.
   *
   * @param nodeId the member that will own the ballot
   * @param generation that member's generation
   * @return a ballot one round above this one
   */
  public Ballot next(int nodeId, int generation) {
    return new Ballot(round + 1, nodeId, generation);
  }

  /** {@code round.node}, with {@code gN} appended for generations above 1. */
  @Override
  public String toString() {
    return round + "." + nodeId + (generation > 1 ? "g" + generation : "");
  }
}
