package dev.modpaxos.sim;

import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.EntryId;
import dev.modpaxos.protocol.SlotBlock;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Liveness: every entry acknowledged durable on a node (its append was synced, so no crash can
 * lose it) is chosen within the bounded liveness phase, in which every node is up and connected.
 */
final class LivenessChecker implements Checker {
  static final String NAME = "LivenessChecker";
  private static final int LISTED_MAX = 5;

  private final Violations violations;
  // Acknowledged durable and not yet chosen, with the node that acknowledged it.
  private final Map<EntryId, Integer> waiting = new LinkedHashMap<>();
  private final Set<EntryId> chosen = new HashSet<>();

  LivenessChecker(Violations violations) {
    this.violations = violations;
  }

  @Override
  public void onDurable(int node, Entry entry) {
    if (!chosen.contains(entry.id())) {
      waiting.put(entry.id(), node);
    }
  }

  @Override
  public void onApplied(int node, SlotBlock sb, TransferApp app) {
    for (Entry e : sb.block().entries()) {
      if (chosen.add(e.id())) {
        waiting.remove(e.id());
      }
    }
  }

  /** True when every acknowledged entry is chosen. */
  boolean satisfied() {
    return waiting.isEmpty();
  }

  @Override
  public void onLivenessPhaseEnd(long livenessTicks) {
    int listed = 0;
    for (Map.Entry<EntryId, Integer> w : waiting.entrySet()) {
      if (listed++ == LISTED_MAX) {
        break;
      }
      violations.report(
          NAME,
          "entry " + w.getKey() + " acknowledged durable on node " + w.getValue()
              + " not chosen within " + livenessTicks + " liveness ticks ("
              + waiting.size() + " waiting)");
    }
  }
}
