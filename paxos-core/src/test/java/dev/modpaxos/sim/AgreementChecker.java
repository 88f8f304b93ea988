package dev.modpaxos.sim;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.protocol.SlotBlock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Agreement: at most one block per slot, ever, across all replicas, incarnations and crashes.
 *
 * <p>It watches two things. What replicas report chosen (applied), and the ground truth of Paxos:
 * a block is chosen once a majority voted for it at one ballot (Paxos Made Simple §2.2), whether
 * or not any replica ever learns it. Two different blocks for one slot, by either account, is a
 * violation.
 */
final class AgreementChecker implements Checker {
  static final String NAME = "AgreementChecker";

  private record VoteKey(long slot, Ballot ballot, Block block) {}

  private final Violations violations;
  private final int majority;
  private final Map<Long, Block> chosenBySlot = new HashMap<>();
  private final Map<VoteKey, Set<Integer>> votes = new HashMap<>();

  AgreementChecker(Violations violations, int majority) {
    this.violations = violations;
    this.majority = majority;
  }

  @Override
  public void onVoted(int node, Proposal accepted) {
    VoteKey key = new VoteKey(accepted.slot(), accepted.ballot(), accepted.block());
    Set<Integer> voters = votes.computeIfAbsent(key, k -> new HashSet<>());
    if (voters.add(node) && voters.size() == majority) {
      record(accepted.slot(), accepted.block(), "a majority voted at ballot " + accepted.ballot());
    }
  }

  @Override
  public void onApplied(int node, SlotBlock chosen, TransferApp app) {
    record(chosen.slot(), chosen.block(), "node " + node + " applied it");
  }

  private void record(long slot, Block block, String how) {
    Block earlier = chosenBySlot.putIfAbsent(slot, block);
    if (earlier != null && !earlier.equals(block)) {
      violations.report(
          NAME, "slot " + slot + " chose " + earlier + " and also " + block + " (" + how + ")");
    }
  }

  /** Slots known chosen so far. */
  int chosenSlots() {
    return chosenBySlot.size();
  }
}
