package dev.modpaxos.protocol;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The learner's state: chosen blocks by slot, the index of chosen entry ids, and this node's local
 * log of not-yet-chosen entries (R4, R9). Not thread-safe.
 */
final class ChosenLog {
  private static final int EARLY_BLOCKS_MAX = 1024;

  private final int self;
  private final Effects out;
  // Invariant: blocks.get(i) is the block chosen for slot i + 1; committedSlot == blocks.size().
  private final List<Block> blocks = new ArrayList<>();
  // Invariant: holds exactly the ids of the entries in `blocks`.
  private final ChosenIndex index = new ChosenIndex();
  // Invariant: only entries of origin `self`, none of them chosen, in seq order.
  private final LinkedHashMap<EntryId, Entry> localLog = new LinkedHashMap<>();
  // Commits that arrived ahead of a gap; applied once the gap is filled (bounded).
  private final TreeMap<Long, Block> early = new TreeMap<>();
  // Invariant: nextSeq > the seq of every entry of `self`, chosen or local.
  private long nextSeq;

  ChosenLog(int self, Effects out, List<Block> chosen, List<Entry> local) {
    this.self = self;
    this.out = out;
    for (Block b : chosen) {
      blocks.add(b);
      for (Entry e : b.entries()) {
        index.add(e.id());
      }
    }
    List<EntryId> stale = new ArrayList<>();
    for (Entry e : local) {
      if (e.origin() != self) {
        throw new IllegalArgumentException("local log holds entry " + e.id() + " of another node");
      }
      if (index.contains(e.id())) {
        stale.add(e.id()); // chosen before a crash that lost the removal (R9)
      } else {
        localLog.put(e.id(), e);
      }
    }
    out.removed.addAll(stale);
    long maxLocal = local.stream().mapToLong(Entry::seq).max().orElse(0);
    nextSeq = Math.max(maxLocal, index.maxSeq(self)) + 1;
  }

  long committedSlot() {
    return blocks.size();
  }

  Block block(long slot) {
    return blocks.get((int) (slot - 1));
  }

  List<Block> blocks(long fromSlot, int max) {
    return blocks(fromSlot, max, Long.MAX_VALUE);
  }

  /** Up to {@code max} blocks from {@code fromSlot} on, about {@code bytesMax} bytes (at least one). */
  List<Block> blocks(long fromSlot, int max, long bytesMax) {
    if (fromSlot < 1 || fromSlot > committedSlot()) {
      return List.of();
    }
    Budget budget = new Budget(max, bytesMax);
    List<Block> out = new ArrayList<>();
    for (int i = (int) (fromSlot - 1); i < blocks.size(); i++) {
      Block b = blocks.get(i);
      if (!budget.take(1, Budget.sizeOf(b))) {
        break;
      }
      out.add(b);
    }
    return out;
  }

  boolean isChosen(EntryId id) {
    return index.contains(id);
  }

  long chosenEntries() {
    return index.size();
  }

  Collection<Entry> localLog() {
    return localLog.values();
  }

  int localLogSize() {
    return localLog.size();
  }

  Entry append(byte[] payload) {
    Entry e = new Entry(self, nextSeq++, payload);
    localLog.put(e.id(), e);
    out.appended.add(e);
    return e;
  }

  /**
   * Records that {@code block} is chosen for {@code slot} and returns the slots that became
   * committed, in order: none for a duplicate, several when it fills a gap before early commits.
   */
  List<SlotBlock> commit(long slot, Block block) {
    long committed = committedSlot();
    if (slot <= committed) {
      return List.of();
    }
    if (slot > committed + 1) {
      if (early.size() < EARLY_BLOCKS_MAX) {
        early.putIfAbsent(slot, block);
      }
      return List.of();
    }
    List<SlotBlock> done = new ArrayList<>();
    append(slot, block, done);
    for (Map.Entry<Long, Block> next = early.pollFirstEntry();
        next != null;
        next = early.pollFirstEntry()) {
      if (next.getKey() == committedSlot() + 1) {
        append(next.getKey(), next.getValue(), done);
      } else if (next.getKey() > committedSlot() + 1) {
        early.put(next.getKey(), next.getValue());
        break;
      }
    }
    return done;
  }

  private void append(long slot, Block block, List<SlotBlock> done) {
    blocks.add(block);
    for (Entry e : block.entries()) {
      index.add(e.id());
      if (e.origin() == self) {
        if (localLog.remove(e.id()) != null) {
          out.removed.add(e.id());
        }
        // No honest peer sends an own entry we never logged; if a damaged or lying frame does,
        // never hand its id out again (found by FrameFuzzTest).
        nextSeq = Math.max(nextSeq, e.seq() + 1);
      }
    }
    SlotBlock sb = new SlotBlock(slot, block);
    out.chosen.add(sb);
    done.add(sb);
  }

  /** Checks this class's invariants; throws {@link IllegalStateException} on a breach. */
  void checkInvariants() {
    long prev = 0;
    for (Entry e : localLog.values()) {
      Invariants.require(e.origin() == self, "local log holds a foreign entry %s", e.id());
      Invariants.require(!index.contains(e.id()), "local log holds chosen entry %s", e.id());
      Invariants.require(e.seq() > prev, "local log out of seq order at %s", e.id());
      Invariants.require(e.seq() < nextSeq, "local entry %s not below nextSeq %d", e.id(), nextSeq);
      prev = e.seq();
    }
    Invariants.require(index.maxSeq(self) < nextSeq, "chosen seq of self >= nextSeq %d", nextSeq);
  }
}
