package dev.modpaxos.sim;

import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.SlotBlock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Liveness: every entry acknowledged durable on a node (its append was synced, so no crash can
 * lose it) is chosen within the bounded liveness phase, in which every node is up and connected,
 * unless a damaged disk lost it on purpose ({@link #onStateLost}). An entry counts as chosen when
 * its origin's payload is chosen under any id: a node re-admitted under a new generation logs its
 * surviving older entries again under new ids (R17). Workload payloads are unique (each carries
 * a nonce), so the payload names the entry.
 */
final class LivenessChecker implements Checker<Object> {
  static final String NAME = "LivenessChecker";
  private static final int LISTED_MAX = 5;

  private final Violations violations;
  // Acknowledged durable and not yet chosen, by content, with the entry as first acknowledged.
  private final Map<String, Entry> waiting = new LinkedHashMap<>();
  private final java.util.Set<String> chosen = new java.util.HashSet<>();

  LivenessChecker(Violations violations) {
    this.violations = violations;
  }

  private static String content(Entry e) {
    return e.origin() + ":" + HexFormat.of().formatHex(e.payload());
  }

  @Override
  public void onDurable(int node, Entry entry) {
    String key = content(entry);
    if (!chosen.contains(key)) {
      waiting.putIfAbsent(key, entry);
    }
  }

  @Override
  public void onApplied(int node, SlotBlock sb, Object app) {
    for (Entry e : sb.block().entries()) {
      String key = content(e);
      if (chosen.add(key)) {
        waiting.remove(key);
      }
    }
  }

  @Override
  public void onStateLost(int node, List<dev.modpaxos.protocol.Block> left, List<Entry> lost) {
    for (Entry e : lost) {
      waiting.remove(content(e));
    }
  }

  /** True when every acknowledged entry is chosen. */
  boolean satisfied() {
    return waiting.isEmpty();
  }

  @Override
  public void onLivenessPhaseEnd(long livenessTicks) {
    int listed = 0;
    for (Entry w : waiting.values()) {
      if (listed++ == LISTED_MAX) {
        break;
      }
      violations.report(
          NAME,
          "entry " + w.id() + " acknowledged durable on node " + w.origin() + " not chosen within "
              + livenessTicks + " liveness ticks (" + waiting.size() + " waiting)");
    }
  }
}
