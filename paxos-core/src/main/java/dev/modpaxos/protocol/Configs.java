package dev.modpaxos.protocol;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * R21: which configuration governs which slot. The configuration as of slot {@code x} (after
 * applying it) governs slot {@code x + L} and later, {@code L = PIPELINE_SLOTS_LIMIT}: slot
 * {@code k} is decided by a majority of the voters of the configuration as of {@code k - L}.
 * Every node that may count votes for {@code k} has committed {@code k - L} (an acceptor votes
 * only within {@code L} slots of its committed slot, R8; a proposer runs only slots within {@code
 * L} of its own), so all of them count with the same configuration. Keeps the configurations as
 * of the last {@code L} committed slots and the one before them. Not thread-safe.
 */
final class Configs {
  // L in production; 1 in the broken variant CONFIG_TOO_EARLY.
  private final int lag;

  // asOfSlot -> the configuration after applying that slot; key 0 is the founding one (or the
  // oldest a snapshot kept). Values are never modified once stored.
  private final TreeMap<Long, Membership> versions = new TreeMap<>();
  // The configuration as of the committed slot; mutable, copied into `versions` on each change.
  private final Membership current;

  Configs(Membership founding, int lag) {
    this.current = founding;
    this.lag = lag;
    versions.put(0L, founding.copy());
  }

  /** {@return the configuration as of the committed slot (fencing and roles use it)} */
  Membership latest() {
    return current;
  }

  /** Records that {@code current} changed when slot {@code slot} was applied. */
  void changed(long slot) {
    versions.put(slot, current.copy());
  }

  /** Drops versions no slot above {@code committed} can be governed by; true if any. */
  boolean trim(long committed) {
    Long keep = versions.floorKey(committed + 1 - lag);
    if (keep == null || versions.firstKey().equals(keep)) {
      return false;
    }
    versions.headMap(keep, false).clear();
    return true;
  }

  /** {@return the configuration that governs slot {@code slot}} */
  Membership governing(long slot) {
    Map.Entry<Long, Membership> e = versions.floorEntry(slot - lag);
    return e != null ? e.getValue() : versions.firstEntry().getValue();
  }

  /** The distinct configurations governing slots {@code from..to}, oldest first. */
  List<Membership> governing(long from, long to) {
    if (versions.size() == 1) {
      return List.of(versions.firstEntry().getValue()); // no change in the window: the usual case
    }
    List<Membership> out = new ArrayList<>();
    Membership last = null;
    for (long s = from; s <= to; s++) {
      Membership m = governing(s);
      if (m != last) {
        out.add(m);
        last = m;
      }
    }
    return out;
  }

  /** True if {@code id} is a member of any configuration kept (its messages may matter). */
  boolean knows(int id) {
    if (current.contains(id)) {
      return true;
    }
    for (Membership m : versions.values()) {
      if (m.contains(id)) {
        return true;
      }
    }
    return false;
  }

  /** Every member of any configuration kept, in id order. */
  Set<Integer> everyone() {
    TreeSet<Integer> all = new TreeSet<>(current.members());
    for (Membership m : versions.values()) {
      all.addAll(m.members());
    }
    return all;
  }

  /** The versions as a snapshot records them (R20): asOfSlot to configuration. */
  TreeMap<Long, Membership> versions() {
    return new TreeMap<>(versions);
  }

  /** R20: replaces everything with what a snapshot of slot {@code slot} recorded. */
  void replaceWith(Map<Long, Membership> snapshotVersions) {
    versions.clear();
    Membership newest = null;
    for (Map.Entry<Long, Membership> e : snapshotVersions.entrySet()) {
      versions.put(e.getKey(), e.getValue().copy());
      newest = e.getValue();
    }
    Membership m = newest.copy();
    current.replaceWith(m);
  }

  /**
   * True if the voters in {@code answered} (id to the generation it answered as) hold a majority
   * of every configuration in {@code configs} (R21).
   */
  static boolean isQuorum(Collection<Membership> configs, Map<Integer, Integer> answered) {
    for (Membership c : configs) {
      int n = 0;
      for (Map.Entry<Integer, Integer> a : answered.entrySet()) {
        if (c.isCurrent(a.getKey(), a.getValue())) {
          n++;
        }
      }
      if (n < c.majority()) {
        return false;
      }
    }
    return true;
  }

  /** True if {@code (id, generation)} is a current voter of any of {@code configs}. */
  static boolean countsIn(Collection<Membership> configs, int id, int generation) {
    for (Membership c : configs) {
      if (c.isCurrent(id, generation)) {
        return true;
      }
    }
    return false;
  }
}
