package dev.modpaxos.protocol;

import dev.modpaxos.spi.StoredState;
import java.util.Collection;

/**
 * Deliberately broken variants of {@link Rules}, in test code only, so that the simulator can
 * prove its checkers catch a replica that breaks Paxos safety. Never used on a production path.
 */
public final class BrokenRules {
  private BrokenRules() {}

  /**
   * A replica that breaks R19: it serves a linearizable read from its own committed slot, without
   * asking a majority for their read index, so a node cut off from new commits reads stale state.
   */
  public static Replica readingWithoutQuorum(ReplicaConfig config, StoredState state, Boot boot) {
    return new Replica(
        config,
        state,
        boot,
        new Rules() {
          @Override
          boolean readIndexNeedsQuorum() {
            return false;
          }
        });
  }

  /**
   * A replica that breaks R15's reserved ids: after a crash it restarts below its id floor and
   * takes submits at once, so it hands out again the ids of entries it sent early and then lost,
   * and its view of its own pending entries misses those that may still be chosen.
   */
  public static Replica ignoringIdFloor(ReplicaConfig config, StoredState state, Boot boot) {
    return new Replica(
        config,
        state,
        boot,
        new Rules() {
          @Override
          boolean fencesReservedIds() {
            return false;
          }
        });
  }

  /**
   * A replica that breaks R15's id fence: after a crash it skips the reserved ids (none is
   * handed out again) but takes submits at once, without fencing the ones it sent and lost, so
   * the application's view of its own pending entries misses some that are still chosen.
   */
  public static Replica skippingIdFence(ReplicaConfig config, StoredState state, Boot boot) {
    return new Replica(
        config,
        state,
        boot,
        new Rules() {
          @Override
          boolean idFenceGatesSubmits() {
            return false;
          }
        });
  }

  /**
   * A replica that breaks R20: its snapshots forget which entry ids were chosen, so a node that
   * installs or restarts from one admits again an entry chosen in a compacted slot.
   */
  public static Replica snapshottingWithoutIndex(
      ReplicaConfig config, StoredState state, Boot boot) {
    return new Replica(
        config,
        state,
        boot,
        new Rules() {
          @Override
          boolean snapshotCarriesIndex() {
            return false;
          }
        });
  }

  /**
   * A replica that breaks R21: a configuration governs quorums from the slot right after the one
   * that chose it, not {@code L} slots later, and no barrier holds later slots back (a pipelined
   * slot may then be counted under a configuration another counter does not know yet).
   */
  public static Replica configTakingEffectEarly(
      ReplicaConfig config, StoredState state, Boot boot) {
    return new Replica(
        config,
        state,
        boot,
        new Rules() {
          @Override
          int configLag() {
            return 1;
          }
        });
  }

  /** A replica that ignores R7, the highest-ballot rule: it never re-proposes an accepted value. */
  public static Replica ignoringHighestBallot(ReplicaConfig config, StoredState state, Boot boot) {
    return new Replica(
        config,
        state,
        boot,
        new Rules() {
          @Override
          Proposal valueToRepropose(Collection<Message.Promise> promises, long slot) {
            return null;
          }
        });
  }

  /**
   * A replica that answers lost state the way modpaxos did before generations (the old R16, see
   * {@link ProbeGate}): it keeps its identity, probes, and votes again once caught up. A store
   * that was wiped reports nothing, so that replica votes at once.
   */
  public static Replica probingAfterLoss(ReplicaConfig config, StoredState state, Boot boot) {
    StoredState old = state;
    if (state.identity() == null) {
      old = new StoredState(
          dev.modpaxos.spi.StoreIdentity.founding(config.clusterId(), config.nodeId()),
          state.promised(), state.accepted(), state.chosen(), state.localLog(), state.losses());
    }
    return new Replica(
        config,
        old,
        boot,
        new Rules() {
          @Override
          LostStateGate gateAfterLoss(Replica replica) {
            return new ProbeGate(replica);
          }
        });
  }

  /**
   * A replica that breaks R10: as an acceptor it promises and accepts for slots it knows are
   * decided, i.e. it answers a PREPARE from a proposer that is behind on commits.
   */
  public static Replica acceptingFromBehind(ReplicaConfig config, StoredState state, Boot boot) {
    return new Replica(
        config,
        state,
        boot,
        new Rules() {
          @Override
          boolean isDecided(long slot, long committedSlot) {
            return false;
          }
        });
  }

  /**
   * A replica that breaks R15's early sends: its votes (PROMISE, ACCEPTED) leave with the
   * messages that may go before the sync, i.e. it acknowledges before its group sync.
   */
  public static Replica votingBeforeSync(ReplicaConfig config, StoredState state, Boot boot) {
    return new Replica(
        config,
        state,
        boot,
        new Rules() {
          @Override
          boolean leavesBeforeSync(
              Message m, java.util.function.Predicate<EntryId> appendedInThisBatch) {
            return m instanceof Message.Promise
                || m instanceof Message.Accepted
                || super.leavesBeforeSync(m, appendedInThisBatch);
          }
        });
  }

  /**
   * A replica that breaks R16's set-aside blocks: the chosen blocks its store kept above a
   * damaged slot are appended right after the blocks before it, so each lands one slot early.
   */
  public static Replica shiftingSetAsideBlocks(
      ReplicaConfig config, StoredState state, Boot boot) {
    return new Replica(
        config,
        state,
        boot,
        new Rules() {
          @Override
          boolean setAsideKeepsItsSlots() {
            return false;
          }
        });
  }

  /**
   * A replica that breaks R15's removal rule: a chosen entry leaves the local log one batch after
   * its block, whether or not a sync made that block durable in between (the rule before chosen
   * blocks stopped syncing on their own).
   */
  public static Replica removingBeforeChosenSynced(
      ReplicaConfig config, StoredState state, Boot boot) {
    return new Replica(
        config,
        state,
        boot,
        new Rules() {
          @Override
          boolean removalWaitsForSync() {
            return false;
          }
        });
  }

  /** A replica that breaks R9: a commit ahead of a gap is applied at once, before the gap. */
  public static Replica applyingOutOfOrder(ReplicaConfig config, StoredState state, Boot boot) {
    return new Replica(
        config,
        state,
        boot,
        new Rules() {
          @Override
          boolean waitsForGaps() {
            return false;
          }
        });
  }

  /**
   * A replica that breaks R18's admission: an entry an earlier slot already holds takes effect
   * again (pipelined slots can choose one entry twice), as does a fenced one.
   */
  public static Replica admittingEverything(ReplicaConfig config, StoredState state, Boot boot) {
    return new Replica(
        config,
        state,
        boot,
        new Rules() {
          @Override
          boolean admits(boolean alreadyChosen, boolean fenced) {
            return true;
          }
        });
  }
}
