package dev.modpaxos.protocol;

/**
 * Caps how much one message carries: at most {@code entriesMax} entries and about {@code bytesMax}
 * bytes, but always at least one item so that progress never stalls on a single large one. Keeps
 * blocks, promised local logs, forwards and catch-ups well below a transport's message limit.
 * Not thread-safe; one instance per message being built.
 */
final class Budget {
  /** Framing estimate per entry on the wire: ids, lengths, tags. */
  static final int ENTRY_OVERHEAD_BYTES = 16;

  private final int entriesMax;
  private final long bytesMax;
  private int entries;
  private long bytes;

  Budget(int entriesMax, long bytesMax) {
    this.entriesMax = entriesMax;
    this.bytesMax = bytesMax;
  }

  static Budget forBlock(ReplicaConfig config) {
    return new Budget(config.blockEntriesMax(), config.blockBytesMax());
  }

  static long sizeOf(Entry e) {
    return e.payloadSize() + ENTRY_OVERHEAD_BYTES;
  }

  static long sizeOf(Block b) {
    long size = ENTRY_OVERHEAD_BYTES;
    for (Entry e : b.entries()) {
      size += sizeOf(e);
    }
    return size;
  }

  /** Takes an item of {@code count} entries and {@code size} bytes if it fits; true if taken. */
  boolean take(int count, long size) {
    boolean first = entries == 0 && bytes == 0;
    if (!first && (entries + count > entriesMax || bytes + size > bytesMax)) {
      return false;
    }
    entries += count;
    bytes += size;
    return true;
  }

  boolean take(Entry e) {
    return take(1, sizeOf(e));
  }
}
