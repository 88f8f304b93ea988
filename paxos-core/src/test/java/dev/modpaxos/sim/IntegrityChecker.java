package dev.modpaxos.sim;

import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.EntryId;
import dev.modpaxos.protocol.SlotBlock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Integrity: no entry is chosen twice (in two slots, or twice within one block), every chosen
 * entry was submitted with exactly that payload, and no id acknowledged durable is handed out
 * again for another entry.
 */
final class IntegrityChecker implements Checker<Object> {
  static final String NAME = "IntegrityChecker";

  private final Violations violations;
  // Every payload ever submitted under an id; a crash before sync may make a node reuse an id.
  private final Map<EntryId, List<byte[]>> submitted = new HashMap<>();
  private final Map<EntryId, Long> chosenInSlot = new HashMap<>();
  // The payload of every entry acknowledged durable, by id.
  private final Map<EntryId, byte[]> durable = new HashMap<>();

  IntegrityChecker(Violations violations) {
    this.violations = violations;
  }

  @Override
  public void onSubmitted(int node, Entry entry) {
    byte[] acknowledged = durable.get(entry.id());
    if (acknowledged != null && !Arrays.equals(acknowledged, entry.payload())) {
      violations.report(NAME, "node " + node + " reused entry id " + entry.id() + " for " + entry
          + " after acknowledging another entry under it (R4)");
    }
    submitted.computeIfAbsent(entry.id(), id -> new ArrayList<>(1)).add(entry.payload());
  }

  /** An id is spent once its entry is acknowledged durable: a crash must never hand it out again. */
  @Override
  public void onDurable(int node, Entry entry) {
    durable.putIfAbsent(entry.id(), entry.payload());
  }

  @Override
  public void onApplied(int node, SlotBlock chosen, Object app) {
    Set<EntryId> inBlock = new HashSet<>();
    for (Entry e : chosen.block().entries()) {
      if (!inBlock.add(e.id())) {
        violations.report(NAME, "slot " + chosen.slot() + " holds entry " + e.id() + " twice");
      }
      Long slot = chosenInSlot.putIfAbsent(e.id(), chosen.slot());
      if (slot != null && slot != chosen.slot()) {
        violations.report(
            NAME, "entry " + e.id() + " chosen in slot " + slot + " and in " + chosen.slot());
      }
      if (!e.id().isControl() && !wasSubmitted(e)) {
        violations.report(
            NAME, "entry " + e + " in slot " + chosen.slot() + " was never submitted as such");
      }
    }
  }

  private boolean wasSubmitted(Entry e) {
    byte[] payload = e.payload();
    for (byte[] p : submitted.getOrDefault(e.id(), List.of())) {
      if (Arrays.equals(p, payload)) {
        return true;
      }
    }
    return false;
  }

  /** Distinct entries known chosen so far. */
  int chosenEntries() {
    return chosenInSlot.size();
  }
}
