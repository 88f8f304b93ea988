package dev.modpaxos.protocol;

import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One configuration of the cluster (R17, R21): its members with their current generations, which
 * of them are learners (they learn but do not vote), which learners no incarnation holds yet
 * (<i>unbound</i>: added, not yet joined), the last generation of every removed id, and an epoch
 * that counts the changes applied. It starts as the founding members at generation 1, all
 * voters, epoch 0, and changes only by control entries applied in slot order, so every replica
 * that committed slot {@code s} holds the same configuration as of {@code s}. Not thread-safe;
 * {@link #copy()} gives an independent one.
 */
final class Membership {
  // Invariant: keys are the members (voters and learners); values their generations, each >= 1.
  private final TreeMap<Integer, Integer> generations = new TreeMap<>();
  // Invariant: a subset of the members.
  private final TreeSet<Integer> learners = new TreeSet<>();
  // Invariant: a subset of the learners: added at a generation no incarnation has adopted yet.
  private final TreeSet<Integer> unbound = new TreeSet<>();
  // Removed ids and the generation each had when removed; never members at the same time.
  private final TreeMap<Integer, Integer> retired = new TreeMap<>();
  private long epoch;
  // Voters' generations for small ids, read on every counted vote: generation by id, 0 if none.
  private int[] voterById = new int[0];
  // Every member's generation for small ids, read for every entry admitted (R17): 0 if none.
  private int[] memberById = new int[0];
  private int voters;

  private static final int SMALL_IDS = 4096;

  Membership(List<Integer> founding) {
    for (int id : founding) {
      generations.put(id, 1);
    }
    index();
  }

  private Membership() {}

  /** {@return an independent copy} */
  Membership copy() {
    return of(epoch, generations, learners, unbound, retired);
  }

  private void index() {
    voters = generations.size() - learners.size();
    int max = generations.isEmpty() ? 0 : generations.lastKey();
    voterById = new int[max < SMALL_IDS ? max + 1 : 0];
    memberById = new int[voterById.length];
    if (voterById.length > 0) {
      generations.forEach((id, g) -> {
        voterById[id] = learners.contains(id) ? 0 : g;
        memberById[id] = g;
      });
    }
  }

  boolean contains(int id) {
    if (memberById.length > 0) {
      return id >= 0 && id < memberById.length && memberById[id] != 0;
    }
    return generations.containsKey(id);
  }

  /** The current generation of member {@code id} (voter or learner), or 0 if it is not one. */
  int generationOf(int id) {
    if (memberById.length > 0) {
      return id >= 0 && id < memberById.length ? memberById[id] : 0;
    }
    return generations.getOrDefault(id, 0);
  }

  /** True if {@code (id, generation)} is a current voter: its votes count (R17). */
  boolean isCurrent(int id, int generation) {
    if (generation <= 0) {
      return false;
    }
    if (voterById.length > 0) {
      return id >= 0 && id < voterById.length && voterById[id] == generation;
    }
    return !learners.contains(id) && generations.getOrDefault(id, 0) == generation;
  }

  boolean isVoter(int id) {
    return contains(id) && !learners.contains(id);
  }

  boolean isLearner(int id) {
    return learners.contains(id);
  }

  /** True if {@code id} was added as a learner and no incarnation has joined as it yet. */
  boolean isUnbound(int id) {
    return unbound.contains(id);
  }

  /** The generation {@code id} had when it was removed, or 0. */
  int retiredGeneration(int id) {
    return retired.getOrDefault(id, 0);
  }

  /** N/2 + 1 of the current voters (R1). */
  int majority() {
    return voters / 2 + 1;
  }

  int voterCount() {
    return voters;
  }

  /** {@return how many membership changes have been applied: 0 for the founding members} */
  long epoch() {
    return epoch;
  }

  /** Every member, voters and learners, in id order. */
  List<Integer> members() {
    return List.copyOf(generations.keySet());
  }

  /** The voters, in id order. */
  List<Integer> voters() {
    List<Integer> v = new java.util.ArrayList<>();
    for (int id : generations.keySet()) {
      if (!learners.contains(id)) {
        v.add(id);
      }
    }
    return v;
  }

  SortedSet<Integer> learners() {
    return new TreeSet<>(learners);
  }

  /**
   * Applies a chosen re-admission (R17): {@code member} moves from generation {@code replaces} to
   * the next, keeping its role; an unbound learner becomes bound. Returns the new generation, or
   * 0 if {@code member} is not a member or its current generation is not {@code replaces} (a
   * stale request: ignored).
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
    unbound.remove(member);
    epoch++;
    index();
    return g + 1;
  }

  /**
   * R21: whether {@code c} applies to this configuration; null if it does, or why not (it is
   * stale or unsafe), in words for an operator.
   */
  String refusal(Reconfig c) {
    int m = c.member();
    return switch (c.op()) {
      case ADD_LEARNER -> contains(m) ? "node " + m + " is already a member"
          : c.generation() != retiredGeneration(m) + 1
              ? "node " + m + " would join at generation " + (retiredGeneration(m) + 1)
                  + ", not " + c.generation()
              : c.generation() > EntryId.maxGeneration() - 1
                  ? "node " + m + " has used every generation" : null;
      case PROMOTE -> !isLearner(m) ? "node " + m + " is not a learner"
          : generationOf(m) != c.generation()
              ? "node " + m + " is at generation " + generationOf(m) + ", not "
                  + c.generation()
              : isUnbound(m) ? "learner " + m + " has not joined yet" : null;
      case REMOVE -> !contains(m) ? "node " + m + " is not a member"
          : generationOf(m) != c.generation()
              ? "node " + m + " is at generation " + generationOf(m) + ", not "
                  + c.generation()
              : isVoter(m) && voters == 1 ? "node " + m + " is the last voter" : null;
    };
  }

  /** R21: applies a chosen change; returns false (and changes nothing) if it does not apply. */
  boolean apply(Reconfig c) {
    if (refusal(c) != null) {
      return false;
    }
    int m = c.member();
    switch (c.op()) {
      case ADD_LEARNER -> {
        generations.put(m, c.generation());
        learners.add(m);
        unbound.add(m);
        retired.remove(m);
      }
      case PROMOTE -> learners.remove(m);
      case REMOVE -> {
        retired.put(m, generations.remove(m));
        learners.remove(m);
        unbound.remove(m);
      }
    }
    epoch++;
    index();
    return true;
  }

  /** The members and their generations, in id order (a copy). */
  SortedMap<Integer, Integer> generations() {
    return new TreeMap<>(generations);
  }

  SortedMap<Integer, Integer> retired() {
    return new TreeMap<>(retired);
  }

  SortedSet<Integer> unbound() {
    return new TreeSet<>(unbound);
  }

  /** R20: becomes a copy of {@code other} (the configuration a snapshot records). */
  void replaceWith(Membership other) {
    generations.clear();
    generations.putAll(other.generations);
    learners.clear();
    learners.addAll(other.learners);
    unbound.clear();
    unbound.addAll(other.unbound);
    retired.clear();
    retired.putAll(other.retired);
    epoch = other.epoch;
    index();
  }

  /** R20: a configuration as a snapshot records it. */
  static Membership of(long epoch, java.util.Map<Integer, Integer> generations,
      java.util.Set<Integer> learners, java.util.Set<Integer> unbound,
      java.util.Map<Integer, Integer> retired) {
    Membership m = new Membership();
    m.generations.putAll(generations);
    m.learners.addAll(learners);
    m.unbound.addAll(unbound);
    m.retired.putAll(retired);
    m.epoch = epoch;
    m.index();
    return m;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Membership m && m.epoch == epoch && m.generations.equals(generations)
        && m.learners.equals(learners) && m.unbound.equals(unbound) && m.retired.equals(retired);
  }

  @Override
  public int hashCode() {
    return generations.hashCode() * 31 + Long.hashCode(epoch);
  }

  @Override
  public String toString() {
    if (learners.isEmpty() && retired.isEmpty() && epoch == 0) {
      return generations.toString();
    }
    return generations + (learners.isEmpty() ? "" : " learners=" + learners)
        + (unbound.isEmpty() ? "" : " unbound=" + unbound)
        + (retired.isEmpty() ? "" : " removed=" + retired) + " epoch=" + epoch;
  }
}
