package dev.modpaxos.sim;

import dev.modpaxos.protocol.BrokenRules;
import dev.modpaxos.protocol.Replica;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.spi.StoredState;
import dev.modpaxos.protocol.Boot;
import dev.modpaxos.spi.StoreIdentity;
import java.util.Set;

/**
 * Which protocol the simulated nodes run: the real one, or a deliberately broken variant that the
 * checkers must catch (BrokenVariantsTest). The broken ones exist in test code only.
 */
enum ProtocolVariant {
  /** The production protocol. */
  PAXOS(Replica::new, false),
  /** Ignores the highest-ballot rule (R7): a won PREPARE always proposes a fresh block. */
  IGNORE_HIGHEST_BALLOT(BrokenRules::ignoringHighestBallot, false),
  /** Sends a Ready's messages before persisting it (breaks R15: persist before reply). */
  REPLY_BEFORE_PERSIST(Replica::new, true),
  /** Votes leave before the group sync (breaks R15's early sends). */
  VOTE_BEFORE_SYNC(BrokenRules::votingBeforeSync, false),
  /** Restarts below its id floor and takes submits at once after a crash (breaks R15). */
  IGNORE_ID_FLOOR(BrokenRules::ignoringIdFloor, false),
  /** Skips its reserved ids after a crash but takes submits without an id fence (breaks R15). */
  NO_ID_FENCE(BrokenRules::skippingIdFence, false),
  /** Removes chosen entries before a sync covers their blocks (breaks R15's removal rule). */
  REMOVE_BEFORE_CHOSEN_SYNCED(BrokenRules::removingBeforeChosenSynced, false),
  /** A commit ahead of a gap is applied at once (breaks R9: slots apply in order). */
  APPLY_OUT_OF_ORDER(BrokenRules::applyingOutOfOrder, false),
  /** Chosen blocks set aside above a damaged slot are taken as the next slots (breaks R16). */
  SET_ASIDE_SHIFTED(BrokenRules::shiftingSetAsideBlocks, false),
  /** Pipelined slots' duplicate and fenced entries take effect (breaks R18's admission). */
  NO_ADMISSION(BrokenRules::admittingEverything, false),
  /** Serves a read from its own committed slot, without a majority's read index (breaks R19). */
  READ_WITHOUT_QUORUM(BrokenRules::readingWithoutQuorum, false),
  /** Snapshots forget which entry ids were chosen (breaks R20: dedup state is in the snapshot). */
  SNAPSHOT_WITHOUT_INDEX(BrokenRules::snapshottingWithoutIndex, false),
  /** A configuration governs from the next slot, not L slots later (breaks R21). */
  CONFIG_TOO_EARLY(BrokenRules::configTakingEffectEarly, false),
  /** Acceptors answer a PREPARE from a proposer behind on commits (breaks R10). */
  ACCEPT_PREPARE_FROM_BEHIND(BrokenRules::acceptingFromBehind, false),
  /**
   * The pre-generation R16: after lost state it probes a majority, catches up and votes again
   * under its old identity; a wiped store votes at once (breaks R16).
   */
  OLD_R16_PROBE(BrokenRules::probingAfterLoss, false),
  /** Votes at once after its store reported lost acceptor state (breaks R16). */
  IGNORE_LOST_ACCEPTOR_STATE(
      (config, state, boot) ->
          new Replica(
              config,
              new StoredState(
                  state.identity() != null && !state.identity().isPending() ? state.identity()
                      : StoreIdentity.founding(config.clusterId(), config.nodeId()),
                  state.promised(), state.accepted(), state.chosen(), state.localLog(), Set.of(),
                  state.compactedSlot(), state.snapshot()),
              boot),
      false);

  /** Builds a replica from the config, what the store read back, and how it boots. */
  interface Factory {
    Replica create(ReplicaConfig config, StoredState state, Boot boot);
  }

  private final Factory factory;
  private final boolean sendsBeforePersist;

  ProtocolVariant(
      Factory factory, boolean sendsBeforePersist) {
    this.factory = factory;
    this.sendsBeforePersist = sendsBeforePersist;
  }

  Replica newReplica(ReplicaConfig config, StoredState state, Boot boot) {
    return factory.create(config, state, boot);
  }

  boolean sendsBeforePersist() {
    return sendsBeforePersist;
  }
}
