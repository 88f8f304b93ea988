package dev.modpaxos.sim;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.ConfigOracle;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.protocol.SlotBlock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

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
  // R21: which configuration's majority chooses each slot, replayed from the applied blocks
  // under the production rule whatever rules the nodes run.
  private final ConfigOracle oracle;
  private final Map<Long, Block> chosenBySlot = new HashMap<>();
  private final Map<Long, Block> appliedBySlot = new HashMap<>();
  // Who voted for each value, as which generation.
  private final Map<VoteKey, Map<Integer, Integer>> votes = new HashMap<>();
  private final Set<VoteKey> majorities = new HashSet<>();
  // Votes for slots whose governing configuration is not replayed yet.
  private final TreeMap<Long, List<VoteKey>> deferred = new TreeMap<>();

  /** Founding members 1..2m-1, for tests of a fixed membership with majority {@code m}. */
  AgreementChecker(Violations violations, int majority) {
    this(violations, new ConfigOracle(
        java.util.stream.IntStream.rangeClosed(1, 2 * majority - 1).boxed().toList()));
  }

  AgreementChecker(Violations violations, ConfigOracle oracle) {
    this.violations = violations;
    this.oracle = oracle;
  }

  @Override
  public void onVoted(int node, Proposal accepted) {
    onVoted(node, 1, accepted);
  }

  @Override
  public void onVoted(int node, int generation, Proposal accepted) {
    VoteKey key = new VoteKey(accepted.slot(), accepted.ballot(), accepted.block());
    Map<Integer, Integer> voters = votes.computeIfAbsent(key, k -> new HashMap<>());
    if (voters.put(node, generation) != null) {
      return;
    }
    if (oracle.knows(key.slot())) {
      checkMajority(key);
    } else {
      deferred.computeIfAbsent(key.slot(), k -> new ArrayList<>()).add(key);
    }
  }

  /** R21: a majority of the current voters of the configuration that governs the slot. */
  private void checkMajority(VoteKey key) {
    if (!majorities.contains(key) && oracle.isMajority(key.slot(), votes.get(key))) {
      majorities.add(key);
      record(key.slot(), key.block(), "a majority of " + oracle.describe(key.slot())
          + " voted at ballot " + key.ballot());
    }
  }

  @Override
  public void onApplied(int node, SlotBlock applied, Object app) {
    long slot = applied.slot();
    if (oracle.applied(slot, applied.block())) {
      // The configurations of more slots are known now: count their deferred votes.
      while (!deferred.isEmpty() && oracle.knows(deferred.firstKey())) {
        for (VoteKey key : deferred.pollFirstEntry().getValue()) {
          checkMajority(key);
        }
      }
    }
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

  /**
   * At the end: every slot applied in order was chosen by a majority of the configuration that
   * governs it (R21). A slot decided by a quorum of a configuration that was not in force, or by
   * votes of an older generation, has no such majority.
   */
  @Override
  public void onLivenessPhaseEnd(long livenessTicks) {
    for (long slot = 1; slot <= oracle.appliedSlot(); slot++) {
      if (!chosenBySlot.containsKey(slot) && appliedBySlot.containsKey(slot)) {
        violations.report(NAME, "slot " + slot + " was applied as " + appliedBySlot.get(slot)
            + " but no majority of " + oracle.describe(slot) + " voted for it at one ballot");
        return;
      }
    }
  }

  /** {@return membership changes applied, by the ground truth (R21)} */
  long reconfigs() {
    return oracle.reconfigs();
  }

  ConfigOracle oracle() {
    return oracle;
  }

  /** Slots known chosen (by votes or applied) so far. */
  int chosenSlots() {
    java.util.Set<Long> slots = new java.util.HashSet<>(chosenBySlot.keySet());
    slots.addAll(appliedBySlot.keySet());
    return slots.size();
  }
}
