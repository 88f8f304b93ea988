package dev.modpaxos.example.kv;

import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.spi.ResultApplication;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The replicated state machine of the key-value store. Each entry is a {@link KvCommand}; its
 * result goes back to the submitter: a put returns the value it replaced (or null), a
 * compare-and-set whether it set. Deterministic: every replica computes the same results.
 * Confined to its node's event loop: read it there, e.g. in a {@code PaxosNode.read} query.
 */
public final class KvStore implements ResultApplication {
  private final Map<String, String> map = new HashMap<>();

  // README-QUICKSTART:BEGIN store
  @Override
  public List<?> applyWithResults(long slot, Block block) {
    List<Object> results = new ArrayList<>(block.size());
    for (Entry e : block.entries()) {
      KvCommand c = KvCommand.decode(e.payload());
      String current = map.get(c.key());
      boolean set = c.op() == KvCommand.Op.PUT || Objects.equals(current, c.expected());
      if (set) {
        map.put(c.key(), c.value());
      }
      results.add(c.op() == KvCommand.Op.PUT ? current : set); // put: replaced; cas: set?
    }
    return results;
  }
  // README-QUICKSTART:END store

  /** The value of {@code key}, or null. */
  public String get(String key) {
    return map.get(key);
  }

  public int size() {
    return map.size();
  }

  /** A sorted copy of the whole map: equal on replicas that applied the same slots. */
  public SortedMap<String, String> snapshot() {
    return new TreeMap<>(map);
  }
}
