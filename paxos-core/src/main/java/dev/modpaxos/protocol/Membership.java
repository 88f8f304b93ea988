package dev.modpaxos.protocol;

import java.util.List;
import java.util.TreeMap;

/**
 * The members and their current generations, as of the committed slot (R17). It starts as the
 * config's members at generation 1 and changes only by control entries applied in slot order, so
 * every replica that committed slot {@code s} holds the same membership for slot {@code s + 1}.
 * Not thread-safe.
 */
final class Membership {
  // Invariant: keys are the members (fixed until membership changes may add or remove them);
  // values are their current generations, each >= 1.
  private final TreeMap<Integer, Integer> generations = new TreeMap<>();
  // The same for small ids, read on every admitted entry (R18): generation by id, 0 if none.
  private int[] byId = new int[0];
  // Invariant: >= 0; one more per applied membership change (R2: every message carries it).
  private long epoch;

  Membership(List<Integer> initial) {
    for (int id : initial) {
      generations.put(id, 1);
    }
    index();
  }

  private void index() {
    int max = generations.isEmpty() ? 0 : generations.lastKey();
    byId = new int[max < SMALL_IDS ? max + 1 : 0];
    if (byId.length > 0) {
      generations.forEach((id, g) -> byId[id] = g);
    }
  }

  private static final int SMALL_IDS = 4096;

  boolean contains(int id) {
    return generations.containsKey(id);
  }

  /** The current generation of {@code id}, or 0 if it is not a member. */
  int generationOf(int id) {
    if (byId.length > 0) {
      return id >= 0 && id < byId.length ? byId[id] : 0;
    }
    return generations.getOrDefault(id, 0);
  }

  /** True if {@code (id, generation)} is a current member: its votes count (R17). */
  boolean isCurrent(int id, int generation) {
    return generation > 0 && generationOf(id) == generation;
  }

  /** N/2 + 1 of the current members (R1). */
  int majority() {
    return generations.size() / 2 + 1;
  }

  /** The membership epoch: 0 at founding, one more per applied change (R2). */
  long epoch() {
    return epoch;
  }

  List<Integer> members() {
    return List.copyOf(generations.keySet());
  }

  /**
   * Applies a chosen re-admission (R17): {@code member} moves from generation {@code replaces} to
   * the next. Returns the new generation, or 0 if {@code member} is not a member or its current
   * generation is not {@code replaces} (a stale request: ignored).
   */
  int readmit(int member, int replaces) {
    Integer g = generations.get(member);
    if (g == null || g != replaces) {
      return 0;
    }
    if (g >= EntryId.maxGeneration()) {
      throw new IllegalStateException("member " + member + " has used every generation");
    }
    generations.put(member, g + 1);
    epoch++;
    index();
    return g + 1;
  }

  /** The members and their generations, in id order (a copy). */
  java.util.SortedMap<Integer, Integer> generations() {
    return new TreeMap<>(generations);
  }

  /** R20: replaces the whole membership with the one a snapshot records. */
  void replaceWith(java.util.Map<Integer, Integer> snapshot) {
    generations.clear();
    generations.putAll(snapshot);
    // While re-admission is the only change, the epoch is the re-admissions applied: one per
    // generation above the first (a snapshot records no epoch of its own).
    long changes = 0;
    for (int g : generations.values()) {
      changes += g - 1;
    }
    epoch = changes;
    index();
  }

  @Override
  public String toString() {
    return generations.toString();
  }
}
