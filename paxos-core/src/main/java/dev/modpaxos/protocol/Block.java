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

  public static final Block EMPTY = new Block(List.of());

  public Block {
    entries = List.copyOf(entries);
    Set<EntryId> seen = new HashSet<>();
    for (Entry e : entries) {
      if (!seen.add(e.id())) {
        throw new IllegalArgumentException("duplicate entry " + e.id() + " in block");
      }
    }
  }

  public int size() {
    return entries.size();
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  public List<EntryId> ids() {
    List<EntryId> ids = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      ids.add(e.id());
    }
    return ids;
  }

  /** True if this block holds a control entry (a membership change, R17). */
  public boolean hasControl() {
    for (Entry e : entries) {
      if (e.id().isControl()) {
        return true;
      }
    }
    return false;
  }

  /** This block without its control entries: what the {@code Application} sees (R17). */
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
