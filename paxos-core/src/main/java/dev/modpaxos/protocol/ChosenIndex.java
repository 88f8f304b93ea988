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
    // The highest chosen seq of this origin over all its generations: shared with the origin's
    // other PerOrigins and held in `maxSeqByOrigin` (a holder, so that an add boxes nothing).
    final long[] originMax;

    PerOrigin(long first, long[] originMax) {
      watermark = first - 1;
      this.originMax = originMax;
    }

    // Mostly empty (ids are chosen roughly in order): then no seq is boxed for the lookup.
    boolean holdsAbove(long seq) {
      return !above.isEmpty() && above.contains(seq);
    }
  }

  // Keyed by origin and generation (see key()).
  private final Map<Long, PerOrigin> byOrigin = new HashMap<>();
  private final Map<Integer, long[]> maxSeqByOrigin = new HashMap<>();
  private long size;
  // The PerOrigin of the last id looked up: consecutive ids mostly share origin and generation,
  // and a lookup by a boxed key would allocate on every entry chosen.
  private long lastKey = Long.MIN_VALUE;
  private PerOrigin last;

  private static long key(EntryId id) {
    return ((long) id.origin() << 32) | id.generation();
  }

  private PerOrigin lookup(long key) {
    if (key == lastKey) {
      return last;
    }
    PerOrigin p = byOrigin.get(key);
    if (p != null) {
      lastKey = key;
      last = p;
    }
    return p;
  }

  boolean contains(EntryId id) {
    PerOrigin p = lookup(key(id));
    return p != null && (id.seq() <= p.watermark || p.holdsAbove(id.seq()));
  }

  /** Records {@code id} as chosen; returns false if it already was. */
  boolean add(EntryId id) {
    PerOrigin p = perOrigin(id);
    if (!take(p, id.seq())) {
      return false;
    }
    size++;
    return true;
  }

  /**
   * R15: marks every seq of {@code fence}'s range that is not chosen yet and that it does not
   * keep as taken, so admission (R18) drops an entry with such an id from now on. They do not
   * count as chosen entries ({@link #size()}).
   */
  void fence(IdFence fence) {
    EntryId first = new EntryId(fence.member(), fence.from());
    if (first.generation() != fence.generation()
        || new EntryId(fence.member(), Math.max(fence.from(), fence.until() - 1)).generation()
            != fence.generation()) {
      return; // not a range of that generation's ids: nothing of it can be taken
    }
    PerOrigin p = perOrigin(first);
    for (long seq = Math.max(fence.from(), p.watermark + 1); seq < fence.until(); seq++) {
      if (!fence.keeps(seq)) {
        take(p, seq);
      }
    }
  }

  private PerOrigin perOrigin(EntryId id) {
    long key = key(id);
    PerOrigin p = lookup(key);
    if (p == null) {
      p = new PerOrigin(EntryId.firstSeq(Math.max(1, id.generation())), holder(id.origin()));
      byOrigin.put(key, p);
      lastKey = key;
      last = p;
    }
    return p;
  }

  // Marks seq as taken in p; false if it already was.
  private static boolean take(PerOrigin p, long seq) {
    if (seq <= p.watermark || p.holdsAbove(seq)) {
      return false;
    }
    if (seq > p.originMax[0]) {
      p.originMax[0] = seq;
    }
    if (seq == p.watermark + 1) {
      p.watermark = seq;
      while (!p.above.isEmpty() && p.above.first() == p.watermark + 1) {
        p.watermark = p.above.pollFirst();
      }
    } else {
      p.above.add(seq);
    }
    return true;
  }

  /** The highest chosen seq of {@code origin}, or 0. */
  long maxSeq(int origin) {
    long[] max = maxSeqByOrigin.get(origin);
    return max == null ? 0 : max[0];
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
    for (Map.Entry<Integer, long[]> e : new java.util.TreeMap<>(maxSeqByOrigin).entrySet()) {
      out.writeInt(e.getKey());
      out.writeLong(e.getValue()[0]);
    }
  }

  static ChosenIndex readFrom(DataInput in) throws IOException {
    ChosenIndex index = new ChosenIndex();
    index.size = in.readLong();
    int origins = count(in.readInt());
    for (int i = 0; i < origins; i++) {
      long key = in.readLong();
      PerOrigin p = new PerOrigin(1, index.holder((int) (key >>> 32)));
      p.watermark = in.readLong();
      int above = count(in.readInt());
      for (int j = 0; j < above; j++) {
        p.above.add(in.readLong());
      }
      index.byOrigin.put(key, p);
    }
    int maxes = count(in.readInt());
    for (int i = 0; i < maxes; i++) {
      index.holder(in.readInt())[0] = in.readLong();
    }
    return index;
  }

  // The origin's highest-seq holder, shared by its PerOrigins; created at 0.
  private long[] holder(int origin) {
    return maxSeqByOrigin.computeIfAbsent(origin, o -> new long[1]);
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
        || other.maxSeqByOrigin.size() != maxSeqByOrigin.size()
        || other.byOrigin.size() != byOrigin.size()) {
      return false;
    }
    for (Map.Entry<Integer, long[]> e : maxSeqByOrigin.entrySet()) {
      long[] q = other.maxSeqByOrigin.get(e.getKey());
      if (q == null || q[0] != e.getValue()[0]) {
        return false;
      }
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
