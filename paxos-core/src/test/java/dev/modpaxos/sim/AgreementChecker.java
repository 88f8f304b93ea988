package dev.modpaxos.sim;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.protocol.SlotBlock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Agreement: at most one block per slot, ever, across all replicas, incarnations and crashes.
 *
 * <p>It watches two things. What replicas report chosen (applied), and the ground truth of Paxos:
 * a block is chosen once a majority voted for it at one ballot (Paxos Made Simple §2.2), whether
 * or not any replica ever learns it. Two different blocks for one slot, by either account, is a
 * violation. What a replica applies is the chosen block as admitted (R18: entries already chosen
 * in an earlier slot, or fenced, are dropped the same way everywhere), so applied blocks are
 * compared with each other, and each must be the chosen block with at most some entries dropped.
 */
final class AgreementChecker implements Checker<Object> {
  static final String NAME = "AgreementChecker";

  private record VoteKey(long slot, Ballot ballot, Block block) {}

  private final Violations violations;
  private final int majority;
  private final Map<Long, Block> chosenBySlot = new HashMap<>();
  private final Map<Long, Block> appliedBySlot = new HashMap<>();
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
  public void onApplied(int node, SlotBlock applied, Object app) {
    long slot = applied.slot();
    Block earlier = appliedBySlot.putIfAbsent(slot, applied.block());
    if (earlier != null && !earlier.equals(applied.block())) {
      violations.report(NAME, "slot " + slot + " was applied as " + earlier + " and also as "
          + applied.block() + " (node " + node + ")");
    }
    Block chosen = chosenBySlot.get(slot);
    if (chosen != null && !admittedFrom(applied.block(), chosen)) {
      violations.report(NAME, "node " + node + " applied " + applied.block() + " for slot " + slot
          + " but a majority voted " + chosen);
    }
  }

  private void record(long slot, Block block, String how) {
    Block earlier = chosenBySlot.putIfAbsent(slot, block);
    if (earlier != null && !earlier.equals(block)) {
      violations.report(
          NAME, "slot " + slot + " chose " + earlier + " and also " + block + " (" + how + ")");
    }
    Block applied = appliedBySlot.get(slot);
    if (earlier == null && applied != null && !admittedFrom(applied, block)) {
      violations.report(NAME, "slot " + slot + " was applied as " + applied + " but " + how
          + " for " + block);
    }
  }

  /** True if {@code applied} is {@code chosen} with some entries dropped, the rest in order. */
  static boolean admittedFrom(Block applied, Block chosen) {
    int i = 0;
    List<dev.modpaxos.protocol.Entry> all = chosen.entries();
    for (dev.modpaxos.protocol.Entry e : applied.entries()) {
      while (i < all.size() && !all.get(i).equals(e)) {
        i++;
      }
      if (i == all.size()) {
        return false;
      }
      i++;
    }
    return true;
  }

  /** Slots known chosen (by votes or applied) so far. */
  int chosenSlots() {
    java.util.Set<Long> slots = new java.util.HashSet<>(chosenBySlot.keySet());
    slots.addAll(appliedBySlot.keySet());
    return slots.size();
  }
}
