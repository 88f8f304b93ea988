package dev.modpaxos.sim;

import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.SlotBlock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Durability: a block a replica reported chosen (applied) is never lost or changed on that
 * replica, across any number of crashes; and a replica applies slots in order without gaps.
 */
final class DurabilityChecker implements Checker<Object> {
  static final String NAME = "DurabilityChecker";

  private final Violations violations;
  // Per node: element i is the block the node reported for slot i + 1.
  private final Map<Integer, List<Block>> reported = new HashMap<>();
  // Per node: the last slot applied in the current incarnation.
  private final Map<Integer, Long> appliedSlot = new HashMap<>();

  DurabilityChecker(Violations violations) {
    this.violations = violations;
  }

  @Override
  public void onApplied(int node, SlotBlock chosen, Object app) {
    long expected = appliedSlot.getOrDefault(node, 0L) + 1;
    if (chosen.slot() != expected) {
      violations.report(
          NAME, "node " + node + " applied slot " + chosen.slot() + " but expected " + expected);
    }
    appliedSlot.put(node, chosen.slot());
    List<Block> blocks = reported.computeIfAbsent(node, n -> new ArrayList<>());
    int index = (int) chosen.slot() - 1;
    if (index == blocks.size()) {
      blocks.add(chosen.block());
    } else if (index < blocks.size() && !blocks.get(index).equals(chosen.block())) {
      violations.report(
          NAME,
          "node " + node + " changed slot " + chosen.slot() + " from " + blocks.get(index)
              + " to " + chosen.block());
    }
  }

  /** A damaged disk (R16) may lose reported blocks: only the surviving prefix is still owed. */
  @Override
  public void onStateLost(int node, List<Block> chosenLeft, List<dev.modpaxos.protocol.Entry> lost) {
    List<Block> blocks = reported.get(node);
    if (blocks != null && blocks.size() > chosenLeft.size()) {
      blocks.subList(chosenLeft.size(), blocks.size()).clear();
    }
  }

  @Override
  public void onRestarted(int node, List<Block> durableChosen) {
    appliedSlot.put(node, 0L);
    List<Block> blocks = reported.getOrDefault(node, List.of());
    for (int i = 0; i < blocks.size(); i++) {
      if (i >= durableChosen.size()) {
        violations.report(
            NAME,
            "node " + node + " reported slots up to " + blocks.size() + " but restarted with "
                + durableChosen.size());
        return;
      }
      if (!durableChosen.get(i).equals(blocks.get(i))) {
        violations.report(
            NAME,
            "node " + node + " reported " + blocks.get(i) + " for slot " + (i + 1)
                + " but restarted with " + durableChosen.get(i));
        return;
      }
    }
  }
}
