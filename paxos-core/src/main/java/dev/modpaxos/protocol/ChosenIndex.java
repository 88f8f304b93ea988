package dev.modpaxos.protocol;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
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

  /** R20: writes this index for a snapshot; {@link #readFrom} reads it back equal. */
  void writeTo(DataOutput out) throws IOException {
    out.writeLong(size);
    out.writeInt(byOrigin.size());
    for (Map.Entry<Long, PerOrigin> e : new java.util.TreeMap<>(byOrigin).entrySet()) {
      PerOrigin p = e.getValue();
      out.writeLong(e.getKey());
      out.writeLong(p.watermark);
      out.writeInt(p.above.size());
      for (long seq : p.above) {
        out.writeLong(seq);
      }
    }
    out.writeInt(maxSeqByOrigin.size());
    for (Map.Entry<Integer, Long> e : new java.util.TreeMap<>(maxSeqByOrigin).entrySet()) {
      out.writeInt(e.getKey());
      out.writeLong(e.getValue());
    }
  }

  static ChosenIndex readFrom(DataInput in) throws IOException {
    ChosenIndex index = new ChosenIndex();
    index.size = in.readLong();
    int origins = count(in.readInt());
    for (int i = 0; i < origins; i++) {
      long key = in.readLong();
      PerOrigin p = new PerOrigin(1);
      p.watermark = in.readLong();
      int above = count(in.readInt());
      for (int j = 0; j < above; j++) {
        p.above.add(in.readLong());
      }
      index.byOrigin.put(key, p);
    }
    int maxes = count(in.readInt());
    for (int i = 0; i < maxes; i++) {
      index.maxSeqByOrigin.put(in.readInt(), in.readLong());
    }
    return index;
  }

  private static int count(int n) throws IOException {
    if (n < 0 || n > 1 << 24) {
      throw new IOException("implausible count " + n);
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ChosenIndex other) || other.size != size
        || !other.maxSeqByOrigin.equals(maxSeqByOrigin)
        || other.byOrigin.size() != byOrigin.size()) {
      return false;
    }
    for (Map.Entry<Long, PerOrigin> e : byOrigin.entrySet()) {
      PerOrigin q = other.byOrigin.get(e.getKey());
      if (q == null || q.watermark != e.getValue().watermark
          || !q.above.equals(e.getValue().above)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(size);
  }
}
