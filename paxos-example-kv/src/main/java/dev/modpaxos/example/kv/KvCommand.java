package dev.modpaxos.example.kv;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * One write to the store, as the payload of one entry: {@code put(key, value)}, or {@code
 * cas(key, expected, value)}, which sets {@code value} only if the key holds {@code expected}
 * (null: the key is absent). Immutable.
 */
public record KvCommand(Op op, String key, String expected, String value) {
  /** The kinds of write. */
  public enum Op { PUT, CAS }

  public KvCommand {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (op == Op.PUT && expected != null) {
      throw new IllegalArgumentException("a put has no expected value");
    }
  }

  public static KvCommand put(String key, String value) {
    return new KvCommand(Op.PUT, key, null, value);
  }

  public static KvCommand cas(String key, String expected, String value) {
    return new KvCommand(Op.CAS, key, expected, value);
  }

  public byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(op.ordinal());
      out.writeUTF(key);
      out.writeBoolean(expected != null);
      if (expected != null) {
        out.writeUTF(expected);
      }
      out.writeUTF(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return bytes.toByteArray();
  }

  /** Decodes a payload; throws {@link IllegalArgumentException} if it is not a command. */
  public static KvCommand decode(byte[] payload) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
      int op = in.readUnsignedByte();
      if (op >= Op.values().length) {
        throw new IllegalArgumentException("not a key-value command: op " + op);
      }
      String key = in.readUTF();
      String expected = in.readBoolean() ? in.readUTF() : null;
      String value = in.readUTF();
      if (in.available() != 0) {
        throw new IllegalArgumentException("not a key-value command: " + in.available()
            + " bytes left over");
      }
      return new KvCommand(Op.values()[op], key, expected, value);
    } catch (IOException e) {
      throw new IllegalArgumentException("not a key-value command: " + e, e);
    }
  }
}
