package dev.modpaxos.protocol;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which entry ids are chosen, in O(origins) memory when each origin's entries are chosen roughly in
 * order: a contiguous watermark per origin plus the few ids chosen above it. Not thread-safe.
 */
final class ChosenIndex {

  private static final class PerOrigin {
    // Invariant: every seq in 1..watermark is chosen; every seq in `above` is > watermark + 1.
    long watermark;
    final TreeSet<Long> above = new TreeSet<>();
    long maxSeq;
  }

  private final Map<Integer, PerOrigin> byOrigin = new HashMap<>();
  private long size;

  boolean contains(EntryId id) {
    PerOrigin p = byOrigin.get(id.origin());
    return p != null && (id.seq() <= p.watermark || p.above.contains(id.seq()));
  }

  /** Records {@code id} as chosen; returns false if it already was. */
  boolean add(EntryId id) {
    PerOrigin p = byOrigin.computeIfAbsent(id.origin(), k -> new PerOrigin());
    long seq = id.seq();
    if (seq <= p.watermark || p.above.contains(seq)) {
      return false;
    }
    p.maxSeq = Math.max(p.maxSeq, seq);
    if (seq == p.watermark + 1) {
      p.watermark = seq;
      while (!p.above.isEmpty() && p.above.first() == p.watermark + 1) {
        p.watermark = p.above.pollFirst();
      }
    } else {
      p.above.add(seq);
    }
    size++;
    return true;
  }

  /** The highest chosen seq of {@code origin}, or 0. */
  long maxSeq(int origin) {
    PerOrigin p = byOrigin.get(origin);
    return p == null ? 0 : p.maxSeq;
  }

  long size() {
    return size;
  }
}
