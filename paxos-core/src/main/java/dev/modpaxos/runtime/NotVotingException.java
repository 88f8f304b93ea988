package dev.modpaxos.runtime;

/**
 * Refused because this node does not vote: it runs as a non-voting learner, for example after its
 * store reported lost state, until the cluster re-admits it (docs/PROTOCOL.md R16). The message is
 * the node's {@link PaxosNode#notVotingReason()}. Nothing was logged or started; submit to a
 * voting node instead.
 */
public final class NotVotingException extends IllegalStateException {
  /**
   * @param reason the node's {@link PaxosNode#notVotingReason()}
   */
  public NotVotingException(String reason) {
    super(reason);
  }
}
