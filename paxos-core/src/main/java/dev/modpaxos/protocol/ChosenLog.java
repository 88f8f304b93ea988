package dev.modpaxos.protocol;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
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
  // R20: slots up to `base` are compacted: their blocks are gone, a snapshot covers them.
  private long base;
  // Invariant: blocks.get(i) is the block chosen for slot base + i + 1; committedSlot == base +
  // blocks.size().
  private final List<Block> blocks = new ArrayList<>();
  // Invariant: holds exactly the ids of the entries chosen in slots 1..committedSlot (those of
  // compacted slots came with the snapshot).
  private ChosenIndex index = new ChosenIndex();
  // Invariant: only entries of origin `self`, none of them chosen, in seq order.
  private final LinkedHashMap<EntryId, Entry> localLog = new LinkedHashMap<>();
  // Commits that arrived ahead of a gap; applied once the gap is filled (bounded).
  private final TreeMap<Long, Block> early = new TreeMap<>();
  // Local entries chosen since the last ready(): removed from the store once a sync after the
  // batch that wrote their blocks has completed (R15).
  private List<EntryId> chosenSinceReady = new ArrayList<>();
  // Local entries whose chosen blocks are written but not yet synced.
  private List<EntryId> awaitingSync = new ArrayList<>();
  // Local entries whose chosen blocks an earlier batch synced: removed by the next batch.
  private List<EntryId> removableAtReady = new ArrayList<>();
  // True while a chosen block written by an earlier batch has not been synced yet (R15).
  private boolean chosenUnsynced;
  // Invariant: nextSeq > the seq of every entry of `self`, chosen, local or accepted.
  private long nextSeq;

  /**
   * Rebuilds the learner from the store. {@code accepted} are the votes read back (their entries
   * count for {@code nextSeq}: a crash may keep an accepted block and lose the append of an own
   * entry it holds, R15); {@code generation} is this incarnation's, 0 while it awaits one.
   */
  ChosenLog(int self, Effects out, List<Block> chosen, List<Entry> local,
      List<Proposal> votes, int generation) {
    this(self, out, 0, null, chosen, List.of(), local, votes, generation);
  }

  /**
   * The same, after compaction (R20): {@code chosen} starts at slot {@code compacted + 1}, and
   * {@code snapshot}, if not null, covers every slot up to its own (at or above {@code
   * compacted}); a snapshot beyond the last chosen block (a crash right after an install) wins.
   * {@code ahead} are chosen blocks the store kept above a damaged or missing slot: they wait, as
   * early commits do, until catch-up fills the gap (R16).
   */
  ChosenLog(int self, Effects out, long compacted, SnapshotState snapshot, List<Block> chosen,
      List<SlotBlock> ahead, List<Entry> local, List<Proposal> votes, int generation) {
    this.self = self;
    this.out = out;
    this.base = compacted;
    if (snapshot != null) {
      index = snapshot.index();
      if (snapshot.slot() > compacted + chosen.size()) {
        base = snapshot.slot();
        chosen = List.of();
      }
    }
    for (Block b : chosen) {
      blocks.add(b);
      for (Entry e : b.entries()) {
        index.add(e.id());
      }
    }
    List<EntryId> stale = new ArrayList<>();
    long maxOwn = index.maxSeq(self);
    for (SlotBlock b : ahead) {
      if (b.slot() > committedSlot() + 1 && early.size() < EARLY_BLOCKS_MAX) {
        early.put(b.slot(), b.block());
      }
      for (Entry e : b.block().entries()) {
        if (e.origin() == self) {
          maxOwn = Math.max(maxOwn, e.seq()); // R4: an id chosen above the gap is never reused
        }
      }
    }
    for (Entry e : local) {
      if (e.origin() != self) {
        throw new IllegalArgumentException("local log holds entry " + e.id() + " of another node");
      }
      maxOwn = Math.max(maxOwn, e.seq());
      if (index.contains(e.id())) {
        stale.add(e.id()); // chosen before a crash that lost the removal (R9)
      } else {
        localLog.put(e.id(), e);
      }
    }
    if (!stale.isEmpty()) {
      requireSamePayloads(local, stale);
      out.removed.addAll(stale);
    }
    for (Proposal accepted : votes) {
      for (Entry e : accepted.block().entries()) {
        if (e.origin() != self) {
          continue;
        }
        maxOwn = Math.max(maxOwn, e.seq());
        // Only an entry of this generation (any, while awaiting re-admission): a leader may
        // re-propose an older generation's entry, which admission fences, and the re-admission
        // already logged it again under a new id (R17).
        boolean current = generation == 0 || e.id().generation() == generation;
        if (current && accepted.slot() > committedSlot() && !index.contains(e.id())
            && !localLog.containsKey(e.id())) {
          // R15: a crash kept the accepted block but lost the append of an own entry it holds.
          // That value may still be chosen, so the entry is pending again, durably.
          localLog.put(e.id(), e);
          out.appended.add(e);
        }
      }
    }
    sortLocalLog();
    nextSeq = maxOwn + 1;
  }

  /** Stale local entries must be exactly the chosen ones under their ids (R4). */
  private void requireSamePayloads(List<Entry> local, List<EntryId> stale) {
    Map<EntryId, Entry> byId = new HashMap<>();
    for (Entry e : local) {
      byId.put(e.id(), e);
    }
    byId.keySet().retainAll(new java.util.HashSet<>(stale));
    for (Block b : blocks) {
      for (Entry e : b.entries()) {
        Entry mine = byId.get(e.id());
        if (mine != null) {
          requireSame(mine, e);
        }
      }
    }
  }

  private static void requireSame(Entry local, Entry chosen) {
    if (!local.equals(chosen)) {
      throw new IllegalStateException(
          "entry id " + local.id() + " was chosen as " + chosen + " but the local log holds "
              + local + " under that id: an entry id was reused (R4); stopping rather than drop"
              + " an acknowledged entry");
    }
  }

  long committedSlot() {
    return base + blocks.size();
  }

  /** R20: the highest compacted slot; blocks of slots up to it are gone. 0 if none. */
  long compactedSlot() {
    return base;
  }

  /** The block of a committed slot above {@link #compactedSlot()}. */
  Block block(long slot) {
    return blocks.get((int) (slot - base - 1));
  }

  /** R20: drops the blocks of slots up to {@code through}, which a durable snapshot covers. */
  void compact(long through) {
    long upTo = Math.min(through, committedSlot());
    if (upTo > base) {
      blocks.subList(0, (int) (upTo - base)).clear();
      base = upTo;
    }
  }

  /**
   * R20: installs a snapshot of a later state than this node's: every slot up to {@code
   * snapshot.slot()} is committed and compacted at once. Own local entries it shows chosen leave
   * the local log (and the store, one batch later, R15). Returns false, changing nothing, if the
   * snapshot is not ahead of the committed slot.
   */
  boolean install(SnapshotState snapshot) {
    if (snapshot.slot() <= committedSlot()) {
      return false;
    }
    ChosenIndex installed = snapshot.index();
    index = installed;
    blocks.clear();
    base = snapshot.slot();
    early.headMap(base, true).clear();
    List<EntryId> chosen = new ArrayList<>();
    for (EntryId id : localLog.keySet()) {
      if (installed.contains(id)) {
        chosen.add(id); // its block is compacted: no payload to compare (R4 holds by the sender)
      }
    }
    for (EntryId id : chosen) {
      localLog.remove(id);
      chosenSinceReady.add(id);
    }
    nextSeq = Math.max(nextSeq, installed.maxSeq(self) + 1);
    return true;
  }

  /**
   * R15: this node restarted with its ids reserved up to {@code until}: none below it is handed
   * out again. Returns the seqs of its local entries in {@code [from, until)}, ascending: the
   * ones an id fence of that range keeps.
   */
  long[] reserveUntil(long from, long until) {
    nextSeq = Math.max(nextSeq, until);
    return localLog.keySet().stream().mapToLong(EntryId::seq)
        .filter(s -> s >= from && s < until).sorted().toArray();
  }

  /** {@return the seq the next appended entry gets, at least} */
  long nextSeq() {
    return nextSeq;
  }

  /**
   * R15: applies an id fence chosen in a committed slot: the ids it takes are taken in the index
   * (a snapshot carries them, R20). A kept id of this node's stays pending in the local log.
   */
  void fence(IdFence f) {
    index.fence(f);
    if (f.member() == self) {
      nextSeq = Math.max(nextSeq, f.until());
      Invariants.require(localLog.keySet().stream().noneMatch(index::contains),
          "an id fence of node %d took an id its local log still holds", self);
    }
  }

  /** A commit that waited for slot {@code slot}, taken out of the early ones, or null. */
  Block takeEarly(long slot) {
    return early.remove(slot);
  }

  /** The chosen-id index (R20: part of a snapshot). */
  ChosenIndex index() {
    return index;
  }

  List<Block> blocks(long fromSlot, int max) {
    return blocks(fromSlot, max, Long.MAX_VALUE);
  }

  /** Up to {@code max} blocks from {@code fromSlot} on, about {@code bytesMax} bytes (at least one). */
  List<Block> blocks(long fromSlot, int max, long bytesMax) {
    if (fromSlot <= base || fromSlot > committedSlot()) {
      return List.of(); // compacted (R20) or not chosen yet
    }
    Budget budget = new Budget(max, bytesMax);
    List<Block> out = new ArrayList<>();
    for (int i = (int) (fromSlot - base - 1); i < blocks.size(); i++) {
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

  /** Appends a new entry of generation {@code generation} (R4). */
  Entry append(byte[] payload, int generation) {
    nextSeq = Math.max(nextSeq, EntryId.firstSeq(generation));
    if (new EntryId(self, nextSeq).generation() != generation) {
      throw new IllegalStateException(
          "node " + self + " has used every entry id of generation " + generation
              + "; it needs re-admission under a new generation (R17)");
    }
    Entry e = new Entry(self, nextSeq++, payload);
    localLog.put(e.id(), e);
    out.appended.add(e);
    return e;
  }

  /**
   * R17: this node was re-admitted as {@code generation}. Its surviving local entries of older
   * generations can no longer be chosen (proposers fence them), so each is logged again under a
   * new id of {@code generation}, with the same payload. The new ids are assigned in local-log
   * order from {@link EntryId#firstSeq}, so doing this again after a crash that kept only part
   * of it assigns the same ids; the old entries leave the store one batch later (R15).
   */
  void relogOlderGenerations(int generation) {
    long seq = EntryId.firstSeq(generation);
    List<Entry> older = new ArrayList<>();
    for (Entry e : localLog.values()) {
      if (e.id().generation() < generation) {
        older.add(e);
      }
    }
    for (Entry old : older) {
      Entry again = new Entry(self, seq++, old.payload());
      localLog.remove(old.id());
      chosenSinceReady.add(old.id());
      if (localLog.putIfAbsent(again.id(), again) == null) {
        out.appended.add(again);
      } else {
        requireSame(localLog.get(again.id()), again);
      }
    }
    nextSeq = Math.max(nextSeq, seq);
    sortLocalLog(); // a copy that survived an earlier, partly persisted attempt kept its place
  }

  private void sortLocalLog() {
    List<Entry> sorted = new ArrayList<>(localLog.values());
    sorted.sort(java.util.Comparator.comparing(Entry::id));
    localLog.clear();
    for (Entry e : sorted) {
      localLog.put(e.id(), e);
    }
  }

  /**
   * What the learner asks of the replica while it commits slots in order (R9, R17, R18): whether
   * an entry may take effect in the slot being committed, under the membership as of the slot
   * before; and, after each slot, to apply its membership changes before the next is admitted.
   */
  interface Admission {
    /** R17: {@code e} is fenced under the membership as of the slot before. */
    boolean fenced(Entry e);

    /** Whether an entry takes effect; {@code alreadyChosen} if an earlier slot holds its id. */
    boolean admits(boolean alreadyChosen, boolean fenced);

    void committed(SlotBlock admitted);

    /** R9: true, except in a deliberately broken test variant. */
    default boolean waitsForGaps() {
      return true;
    }
  }

  /** A slot that became committed: the block chosen for it, and what of it takes effect. */
  record Decided(SlotBlock admitted, Block chosen) {}

  /**
   * Records that {@code block} is chosen for {@code slot} and returns the slots that became
   * committed, in order: none for a duplicate, several when it fills a gap before early commits.
   * Each slot's block is admitted first (R18): an entry whose id an earlier slot (or this one)
   * already holds, or one fenced under the membership as of the slot before (R17), is dropped
   * from it. Every replica drops the same entries, for admission depends only on earlier slots;
   * the admitted block is what is stored, served to peers, and applied.
   */
  List<Decided> commit(long slot, Block block, Admission admission) {
    long committed = committedSlot();
    if (slot <= committed) {
      return List.of();
    }
    if (slot > committed + 1 && admission.waitsForGaps()) {
      if (early.size() < EARLY_BLOCKS_MAX) {
        early.putIfAbsent(slot, block);
      }
      return List.of();
    }
    List<Decided> done = new ArrayList<>();
    append(committed + 1, block, admission, done);
    for (Map.Entry<Long, Block> next = early.pollFirstEntry();
        next != null;
        next = early.pollFirstEntry()) {
      if (next.getKey() == committedSlot() + 1) {
        append(next.getKey(), next.getValue(), admission, done);
      } else if (next.getKey() > committedSlot() + 1) {
        early.put(next.getKey(), next.getValue());
        break;
      }
    }
    return done;
  }

  private void append(long slot, Block chosen, Admission admission, List<Decided> done) {
    List<Entry> kept = null; // null while every entry so far is admitted
    List<Entry> entries = chosen.entries();
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      if (e.origin() == self) {
        // No honest peer sends an own entry we never logged; if a damaged or lying frame does,
        // never hand its id out again (found by FrameFuzzTest).
        nextSeq = Math.max(nextSeq, e.seq() + 1);
      }
      boolean fenced = admission.fenced(e);
      boolean alreadyChosen = fenced ? index.contains(e.id()) : !index.add(e.id()); // one lookup
      boolean admitted = admission.admits(alreadyChosen, fenced);
      if (!admitted) {
        if (kept == null) {
          kept = new ArrayList<>(entries.subList(0, i));
        }
        continue;
      }
      if (kept != null) {
        kept.add(e);
      }
      if (fenced) {
        index.add(e.id()); // only a broken test variant admits a fenced entry
      }
      if (e.origin() == self) {
        Entry mine = localLog.remove(e.id());
        if (mine != null) {
          requireSame(mine, e); // an alarm, never a silent drop (R4)
          chosenSinceReady.add(e.id());
        }
      }
    }
    Block block = kept == null ? chosen : (kept.isEmpty() ? Block.EMPTY : new Block(kept));
    blocks.add(block);
    SlotBlock sb = new SlotBlock(slot, block);
    out.chosen.add(sb);
    done.add(new Decided(sb, chosen));
    admission.committed(sb);
  }

  /**
   * Called as a batch is drained: emits the removals whose chosen blocks an earlier batch's sync
   * made durable, and holds back the others until a batch that syncs has been carried out (R15:
   * under any-subset crashes a removal must never reach the disk without the block that chose the
   * entry, and chosen blocks alone do not sync). {@code batchSyncs}: whether the batch being
   * drained syncs; {@code waitForSync} false is the broken variant that removes one batch later
   * whether or not a sync came in between.
   */
  void drainRemovals(boolean batchSyncs, boolean waitForSync) {
    // Each list moves on whole where the next one is empty (the common case): no copying.
    if (out.removed.isEmpty()) {
      List<EntryId> t = out.removed;
      out.removed = removableAtReady;
      removableAtReady = t;
    } else {
      out.removed.addAll(removableAtReady);
      removableAtReady.clear();
    }
    if (awaitingSync.isEmpty()) {
      List<EntryId> t = awaitingSync;
      awaitingSync = chosenSinceReady;
      chosenSinceReady = t;
    } else {
      awaitingSync.addAll(chosenSinceReady);
      chosenSinceReady.clear();
    }
    if (batchSyncs || !waitForSync) {
      List<EntryId> t = removableAtReady; // empty: moved on above
      removableAtReady = awaitingSync;
      awaitingSync = t;
    }
    if (batchSyncs) {
      chosenUnsynced = false;
    } else if (!out.chosen.isEmpty()) {
      chosenUnsynced = true;
    }
  }

  /** {@return true if a chosen block or a removal waits for a sync that no batch brought (R15)} */
  boolean awaitsSync() {
    return chosenUnsynced || !awaitingSync.isEmpty();
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
