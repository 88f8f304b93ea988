package dev.modpaxos.example.kv;

import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.spi.ResultApplication;
import dev.modpaxos.spi.SnapshotApplication;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
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
public final class KvStore implements ResultApplication, SnapshotApplication {
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

  /**
   * R20: captures the map as of {@code slot} (a sorted copy: small keys and values) and writes it
   * later, off the loop, in key order, so every replica writes the same bytes.
   */
  @Override
  public SnapshotWriter snapshot(long slot) {
    SortedMap<String, String> copy = snapshot();
    return out -> {
      DataOutputStream data = new DataOutputStream(out);
      data.writeInt(copy.size());
      for (Map.Entry<String, String> e : copy.entrySet()) {
        data.writeUTF(e.getKey());
        data.writeBoolean(e.getValue() != null);
        if (e.getValue() != null) {
          data.writeUTF(e.getValue());
        }
      }
      data.flush();
    };
  }

  /** R20: replaces the map with the one a snapshot holds. */
  @Override
  public void restore(long slot, InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    Map<String, String> restored = new HashMap<>();
    for (int n = data.readInt(); n > 0; n--) {
      String key = data.readUTF();
      restored.put(key, data.readBoolean() ? data.readUTF() : null);
    }
    map.clear();
    map.putAll(restored);
  }

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
