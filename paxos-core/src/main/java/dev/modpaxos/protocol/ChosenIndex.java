package dev.modpaxos.protocol;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which entry ids are chosen, in O(origins x generations) memory when each origin's entries are
 * chosen roughly in order: a contiguous watermark per origin and generation (whose seqs start at
 * {@link EntryId#firstSeq}) plus the few ids chosen above it. Not thread-safe.
 */
final class ChosenIndex {

  private static final class PerOrigin {
    // Invariant: every seq in first..watermark is chosen; every seq in `above` is > watermark + 1.
    long watermark;
    final TreeSet<Long> above = new TreeSet<>();

    PerOrigin(long first) {
      watermark = first - 1;
    }
  }

  // Keyed by origin and generation (see key()).
  private final Map<Long, PerOrigin> byOrigin = new HashMap<>();
  private final Map<Integer, Long> maxSeqByOrigin = new HashMap<>();
  private long size;

  private static long key(EntryId id) {
    return ((long) id.origin() << 32) | id.generation();
  }

  boolean contains(EntryId id) {
    PerOrigin p = byOrigin.get(key(id));
    return p != null && (id.seq() <= p.watermark || p.above.contains(id.seq()));
  }

  /** Records {@code id} as chosen; returns false if it already was. */
  boolean add(EntryId id) {
    long seq = id.seq();
    PerOrigin p =
        byOrigin.computeIfAbsent(
            key(id), k -> new PerOrigin(EntryId.firstSeq(Math.max(1, id.generation()))));
    if (seq <= p.watermark || p.above.contains(seq)) {
      return false;
    }
    maxSeqByOrigin.merge(id.origin(), seq, Math::max);
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
    return maxSeqByOrigin.getOrDefault(origin, 0L);
  }

  long size() {
    return size;
  }
}
