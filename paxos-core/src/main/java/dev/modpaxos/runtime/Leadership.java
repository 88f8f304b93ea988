package dev.modpaxos.runtime;

import dev.modpaxos.protocol.Ballot;
import java.util.Objects;

/**
 * A node's view of leadership, as {@link PaxosNode#leadership()} reports it and {@link
 * PaxosNode#onLeadershipChange} announces it.
 *
 * @param role what this node does now
 * @param leaderId the node this one takes as the stable leader (R13): itself while it leads, else
 *     the owner of the ballot it promised; 0 if none. A hint: it may be out of date
 * @param promised the highest ballot this node promised ({@link Ballot#ZERO} if none)
 */
public record Leadership(Role role, int leaderId, Ballot promised) {
  /** A node that is not running. */
  public static final Leadership STOPPED = new Leadership(Role.STOPPED, 0, Ballot.ZERO);

  /** What a node does. */
  public enum Role {
    /** It holds a ballot a majority promised and runs slots with ACCEPT only (R13). */
    LEADER,
    /** It votes and accepts submits; it forwards them to the leader in AUTO mode. */
    FOLLOWER,
    /** It does not vote (lost state, replaced, or not a member; R16, R17); it still learns. */
    LEARNER,
    /** It is not running. */
    STOPPED
  }

  /**
   * Checks that neither {@code role} nor {@code promised} is null.
   *
   * @param role see {@link #role()}
   * @param leaderId see {@link #leaderId()}
   * @param promised see {@link #promised()}
   */
  public Leadership {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(promised, "promised");
  }
}
