package dev.modpaxos.protocol;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

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
  private static final int FORMAT = 1;

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

  static SnapshotState encode(long slot, Membership membership, ChosenIndex index) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(buf)) {
      out.writeInt(FORMAT);
      Map<Integer, Integer> generations = membership.generations();
      out.writeInt(generations.size());
      for (Map.Entry<Integer, Integer> g : generations.entrySet()) {
        out.writeInt(g.getKey());
        out.writeInt(g.getValue());
      }
      index.writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return new SnapshotState(slot, buf.toByteArray());
  }

  /** The membership this snapshot records. Throws {@link IllegalArgumentException} if damaged. */
  TreeMap<Integer, Integer> generations() {
    try (DataInputStream in = open()) {
      int n = in.readInt();
      requireCount(n);
      TreeMap<Integer, Integer> generations = new TreeMap<>();
      for (int i = 0; i < n; i++) {
        generations.put(in.readInt(), in.readInt());
      }
      return generations;
    } catch (IOException e) {
      throw damaged(e);
    }
  }

  /** The chosen-id index this snapshot records. Throws {@link IllegalArgumentException} if damaged. */
  ChosenIndex index() {
    try (DataInputStream in = open()) {
      int n = in.readInt();
      requireCount(n);
      in.skipNBytes(8L * n);
      return ChosenIndex.readFrom(in);
    } catch (IOException e) {
      throw damaged(e);
    }
  }

  private DataInputStream open() throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
    int format = in.readInt();
    if (format != FORMAT) {
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
