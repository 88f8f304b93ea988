package dev.modpaxos.sim;

import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.SlotBlock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Durability: a block a replica reported chosen (applied) is never changed on that replica, across
 * any number of crashes, and never lost once its store synced it; a replica applies slots in order
 * without gaps. A block is reported chosen before this node's own write of it is synced (it is
 * chosen because a majority's votes are durable, R15), so a crash may lose the blocks written
 * since the last sync: the node fetches them again, and they must come back unchanged.
 */
final class DurabilityChecker implements Checker<Object> {
  static final String NAME = "DurabilityChecker";

  private final Violations violations;
  // Per node: the block it reported for each slot (slots a snapshot skipped are absent, R20).
  private final Map<Integer, TreeMap<Long, Block>> reported = new HashMap<>();
  // Per node: the last slot applied (or restored) in the current incarnation.
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
    Block earlier =
        reported.computeIfAbsent(node, n -> new TreeMap<>()).putIfAbsent(chosen.slot(), chosen.block());
    if (earlier != null && !earlier.equals(chosen.block())) {
      violations.report(
          NAME,
          "node " + node + " changed slot " + chosen.slot() + " from " + earlier + " to "
              + chosen.block());
    }
  }

  /** R20: a restored snapshot of {@code slot} stands for every slot up to it. */
  @Override
  public void onRestored(int node, long slot, boolean installed, Object app) {
    long applied = appliedSlot.getOrDefault(node, 0L);
    if (installed && slot <= applied) {
      violations.report(NAME, "node " + node + " installed a snapshot of slot " + slot
          + " but had applied slot " + applied);
    }
    appliedSlot.put(node, slot);
  }

  /** A damaged disk (R16) may lose reported blocks: only the surviving prefix is still owed. */
  @Override
  public void onStateLost(int node, List<Block> chosenLeft, List<dev.modpaxos.protocol.Entry> lost) {
    onStateLost(node, 1, chosenLeft, lost);
  }

  @Override
  public void onStateLost(int node, long firstSlot, List<Block> chosenLeft,
      List<dev.modpaxos.protocol.Entry> lost) {
    TreeMap<Long, Block> blocks = reported.get(node);
    if (blocks != null) {
      blocks.tailMap(firstSlot + chosenLeft.size(), true).clear(); // the lost ones
    }
  }

  @Override
  public void onRestarted(int node, List<Block> durableChosen) {
    onRestarted(node, 1, durableChosen, Long.MAX_VALUE);
  }

  @Override
  public void onRestarted(int node, long firstSlot, List<Block> durableChosen) {
    onRestarted(node, firstSlot, durableChosen, Long.MAX_VALUE);
  }

  @Override
  public void onRestarted(int node, long firstSlot, List<Block> durableChosen,
      long syncedThrough) {
    appliedSlot.put(node, 0L);
    TreeMap<Long, Block> blocks = reported.getOrDefault(node, new TreeMap<>());
    long lastHeld = firstSlot - 1 + durableChosen.size();
    for (Map.Entry<Long, Block> e : blocks.entrySet()) {
      long slot = e.getKey();
      if (slot < firstSlot) {
        continue; // compacted: a snapshot covers it (the digests compare its state, R20)
      }
      if (slot > lastHeld && slot > syncedThrough) {
        return; // written after the last sync (R15): fetched again, compared when re-applied
      }
      if (slot > lastHeld) {
        violations.report(
            NAME,
            "node " + node + " reported slots up to " + blocks.lastKey() + " but restarted with "
                + lastHeld + " (synced through " + syncedThrough + ")");
        return;
      }
      Block held = durableChosen.get((int) (slot - firstSlot));
      if (!held.equals(e.getValue())) {
        violations.report(
            NAME,
            "node " + node + " reported " + e.getValue() + " for slot " + slot
                + " but restarted with " + held);
        return;
      }
    }
  }
}
