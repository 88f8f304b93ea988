package dev.modpaxos.protocol;

/**
 * A ballot {@code (round, nodeId)}, totally ordered by round, then node id (docs/PROTOCOL.md R1).
 *
 * <p>{@link #ZERO} is below every ballot a node can issue; rounds issued by nodes start at 1.
 */
public record Ballot(long round, int nodeId) implements Comparable<Ballot> {

  /** The ballot every acceptor starts with; no proposer ever uses it. */
  public static final Ballot ZERO = new Ballot(0, 0);

  public Ballot {
    if (round < 0) {
      throw new IllegalArgumentException("ballot round must be >= 0, got " + round);
    }
  }

  @Override
  public int compareTo(Ballot other) {
    int byRound = Long.compare(round, other.round);
    return byRound != 0 ? byRound : Integer.compare(nodeId, other.nodeId);
  }

  public boolean isAbove(Ballot other) {
    return compareTo(other) > 0;
  }

  public boolean isAtLeast(Ballot other) {
    return compareTo(other) >= 0;
  }

  /** The smallest ballot owned by {@code nodeId} that is above this one. */
  public Ballot next(int nodeId) {
    return new Ballot(round + 1, nodeId);
  }

  @Override
  public String toString() {
    return round + "." + nodeId;
  }
}
