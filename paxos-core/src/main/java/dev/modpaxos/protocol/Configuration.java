package dev.modpaxos.protocol;

import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The cluster's configuration as one node knows it (R17, R21): a value, safe to keep and share.
 *
 * @param epoch how many membership changes the configuration has seen; 0 for the founding one
 * @param voters the voting members and their current generations
 * @param learners the non-voting members and their generations, including those added but not
 *     yet joined ({@code joining})
 * @param joining the learners no incarnation has joined as yet
 * @param removed ids that were removed, with the generation each had then
 * @param inForceEpoch the epoch of the configuration that governs the next slot's quorums: a
 *     change takes effect {@code L} slots after the slot that chose it, so this may be below
 *     {@code epoch} for a few slots
 */
public record Configuration(
    long epoch,
    SortedMap<Integer, Integer> voters,
    SortedMap<Integer, Integer> learners,
    Set<Integer> joining,
    SortedMap<Integer, Integer> removed,
    long inForceEpoch) {

  /**
   * Copies the collections.
   *
   * @param epoch see {@link #epoch()}
   * @param voters see {@link #voters()}
   * @param learners see {@link #learners()}
   * @param joining see {@link #joining()}
   * @param removed see {@link #removed()}
   * @param inForceEpoch see {@link #inForceEpoch()}
   */
  public Configuration {
    voters = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(voters));
    learners = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(learners));
    joining = Set.copyOf(joining);
    removed = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(removed));
  }

  static Configuration of(Membership m, Membership inForce) {
    SortedMap<Integer, Integer> voters = new TreeMap<>();
    SortedMap<Integer, Integer> learners = new TreeMap<>();
    for (Map.Entry<Integer, Integer> e : m.generations().entrySet()) {
      (m.isLearner(e.getKey()) ? learners : voters).put(e.getKey(), e.getValue());
    }
    return new Configuration(m.epoch(), voters, learners, m.unbound(), m.retired(),
        inForce.epoch());
  }

  /**
   * True if {@code id} is a voter or a learner.
   *
   * @param id the node id
   * @return whether it is a member
   */
  public boolean contains(int id) {
    return voters.containsKey(id) || learners.containsKey(id);
  }

  /**
   * The generation of member {@code id}, or 0 if it is not a member.
   *
   * @param id the node id
   * @return its generation, or 0
   */
  public int generationOf(int id) {
    return voters.getOrDefault(id, learners.getOrDefault(id, 0));
  }

  @Override
  public String toString() {
    return "epoch " + epoch + (inForceEpoch != epoch ? " (epoch " + inForceEpoch + " in force)" : "")
        + ": voters " + voters + (learners.isEmpty() ? "" : ", learners " + learners)
        + (joining.isEmpty() ? "" : " (joining " + joining + ")")
        + (removed.isEmpty() ? "" : ", removed " + removed);
  }
}
