package dev.modpaxos.protocol;

/** Identifies an entry: the node that logged it and its per-origin sequence number (R3). */
public record EntryId(int origin, long seq) implements Comparable<EntryId> {

  @Override
  public int compareTo(EntryId other) {
    int byOrigin = Integer.compare(origin, other.origin);
    return byOrigin != 0 ? byOrigin : Long.compare(seq, other.seq);
  }

  @Override
  public String toString() {
    return origin + ":" + seq;
  }
}
