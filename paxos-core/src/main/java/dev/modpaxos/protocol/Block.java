package dev.modpaxos.protocol;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A major block: the ordered entries decided in one slot (docs/PROTOCOL.md R3). Entry ids within
 * a block are distinct. An empty block is legal (it fills a slot without deciding any entry).
 */
public record Block(List<Entry> entries) {

  /** The block without entries (fills a slot without deciding any entry). */
  public static final Block EMPTY = new Block(List.of());

  /**
   * Copies the entries and checks that their ids are distinct.
   *
   * @param entries see {@link #entries()}
   */
  public Block {
    entries = List.copyOf(entries);
    Set<EntryId> seen = new HashSet<>(Math.max(16, entries.size() * 2));
    for (Entry e : entries) {
      if (!seen.add(e.id())) {
        throw new IllegalArgumentException("duplicate entry " + e.id() + " in block");
      }
    }
  }

  /** {@return the number of entries} */
  public int size() {
    return entries.size();
  }

  /** {@return true if the block holds no entry} */
  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** {@return the ids of the entries, in block order} */
  public List<EntryId> ids() {
    List<EntryId> ids = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      ids.add(e.id());
    }
    return ids;
  }

  /** {@return true if this block holds a control entry (a membership change, R17)} */
  public boolean hasControl() {
    for (Entry e : entries) {
      if (e.id().isControl()) {
        return true;
      }
    }
    return false;
  }

  /** {@return this block without its control entries: what the {@code Application} sees (R17)} */
  public Block withoutControl() {
    if (!hasControl()) {
      return this;
    }
    List<Entry> user = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      if (!e.id().isControl()) {
        user.add(e);
      }
    }
    return new Block(user);
  }

  @Override
  public String toString() {
    return "Block" + ids();
  }
}
