package dev.modpaxos.protocol;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The protocol's own part of a snapshot as of slot {@link #slot} (R20): the membership with its
 * generations (R17) and the index of every chosen entry id (R18 admission, R4 entry ids), in a
 * small binary form. Opaque outside the protocol package: a runtime stores it next to the
 * application's snapshot and hands it back to {@link Replica#installSnapshot} or {@link Boot}.
 *
 * @param slot every slot up to and including this one is covered
 * @param bytes the encoded state; never modified
 */
public record SnapshotState(long slot, byte[] bytes) {
  // Format 2 (R21) records the configurations of the last L slots; format 1 one membership.
  private static final int FORMAT = 2;

  /**
   * Copies the bytes.
   *
   * @param slot see {@link #slot()}
   * @param bytes see {@link #bytes()}
   */
  public SnapshotState {
    if (slot < 1) {
      throw new IllegalArgumentException("a snapshot covers slot 1 at least, got " + slot);
    }
    bytes = bytes.clone();
  }

  /** {@return a copy of the encoded state} */
  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  static SnapshotState encode(long slot, Configs configs, ChosenIndex index) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(buf)) {
      out.writeInt(FORMAT);
      Map<Long, Membership> versions = configs.versions();
      out.writeInt(versions.size());
      for (Map.Entry<Long, Membership> v : versions.entrySet()) {
        out.writeLong(v.getKey());
        writeMembership(out, v.getValue());
      }
      index.writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return new SnapshotState(slot, buf.toByteArray());
  }

  private static void writeMembership(DataOutputStream out, Membership m) throws IOException {
    out.writeLong(m.epoch());
    Map<Integer, Integer> generations = m.generations();
    out.writeInt(generations.size());
    for (Map.Entry<Integer, Integer> g : generations.entrySet()) {
      out.writeInt(g.getKey());
      out.writeInt(g.getValue());
      out.writeByte((m.isLearner(g.getKey()) ? 1 : 0) | (m.isUnbound(g.getKey()) ? 2 : 0));
    }
    Map<Integer, Integer> retired = m.retired();
    out.writeInt(retired.size());
    for (Map.Entry<Integer, Integer> g : retired.entrySet()) {
      out.writeInt(g.getKey());
      out.writeInt(g.getValue());
    }
  }

  private static Membership readMembership(DataInputStream in) throws IOException {
    long epoch = in.readLong();
    int n = in.readInt();
    requireCount(n);
    TreeMap<Integer, Integer> generations = new TreeMap<>();
    TreeSet<Integer> learners = new TreeSet<>();
    TreeSet<Integer> unbound = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      int id = in.readInt();
      generations.put(id, in.readInt());
      int flags = in.readByte();
      if ((flags & 1) != 0) {
        learners.add(id);
      }
      if ((flags & 2) != 0) {
        unbound.add(id);
      }
    }
    int r = in.readInt();
    requireCount(r);
    TreeMap<Integer, Integer> retired = new TreeMap<>();
    for (int i = 0; i < r; i++) {
      retired.put(in.readInt(), in.readInt());
    }
    return Membership.of(epoch, generations, learners, unbound, retired);
  }

  /**
   * The configurations this snapshot records (R21): as of which slot each took effect, the
   * founding one at 0. Throws {@link IllegalArgumentException} if damaged.
   */
  TreeMap<Long, Membership> configs() {
    try (DataInputStream in = open()) {
      return readConfigs(in);
    } catch (IOException e) {
      throw damaged(e);
    }
  }

  private TreeMap<Long, Membership> readConfigs(DataInputStream in) throws IOException {
    TreeMap<Long, Membership> versions = new TreeMap<>();
    int n = in.readInt();
    requireCount(n);
    if (format(in) == 1) { // one membership of generations, all voters, as of the slot
      TreeMap<Integer, Integer> generations = new TreeMap<>();
      for (int i = 0; i < n; i++) {
        generations.put(in.readInt(), in.readInt());
      }
      versions.put(0L, Membership.of(0, generations, Set.of(), Set.of(), Map.of()));
      return versions;
    }
    if (n == 0) {
      throw new IOException("no configuration");
    }
    for (int i = 0; i < n; i++) {
      versions.put(in.readLong(), readMembership(in));
    }
    return versions;
  }

  /** The chosen-id index this snapshot records. Throws {@link IllegalArgumentException} if damaged. */
  ChosenIndex index() {
    try (DataInputStream in = open()) {
      readConfigs(in);
      return ChosenIndex.readFrom(in);
    } catch (IOException e) {
      throw damaged(e);
    }
  }

  private int format(DataInputStream in) {
    return java.nio.ByteBuffer.wrap(bytes).getInt(0); // open() checked it
  }

  private DataInputStream open() throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
    int format = in.readInt();
    if (format != FORMAT && format != 1) {
      throw new IllegalArgumentException(
          "snapshot of slot " + slot + " has protocol state format " + format + ", expected "
              + FORMAT);
    }
    return in;
  }

  private static void requireCount(int n) throws IOException {
    if (n < 0 || n > 1 << 20) {
      throw new IOException("implausible count " + n);
    }
  }

  private IllegalArgumentException damaged(IOException e) {
    return new IllegalArgumentException(
        "snapshot of slot " + slot + " has a damaged protocol state: " + e, e);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SnapshotState s && s.slot == slot && Arrays.equals(s.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(slot) * 31 + Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "SnapshotState[slot=" + slot + ", " + bytes.length + " bytes]";
  }
}
