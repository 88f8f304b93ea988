package dev.modpaxos.bank;

import java.nio.ByteBuffer;

/**
 * The entry payload of one transfer: version 1 is 15 bytes, big-endian:
 * {@code [version=1][id: 8][from: 1][to: 1][amount: 4]}. {@link #decode} validates everything and
 * rejects any other length or version, so a corrupt or foreign entry is never applied as money.
 */
public final class TransferCodec {
  static final byte VERSION = 1;
  static final int LENGTH = 15;

  private TransferCodec() {}

  public static byte[] encode(Transfer t) {
    return ByteBuffer.allocate(LENGTH)
        .put(VERSION)
        .putLong(t.id())
        .put((byte) t.from())
        .put((byte) t.to())
        .putInt((int) t.amount())
        .array();
  }

  /** Decodes a payload; throws {@link IllegalArgumentException} saying why it is not a transfer. */
  public static Transfer decode(byte[] payload) {
    if (payload.length == 0 || payload[0] != VERSION) {
      throw new IllegalArgumentException(
          "not a transfer payload: version " + (payload.length == 0 ? "missing" : payload[0]));
    }
    if (payload.length != LENGTH) {
      throw new IllegalArgumentException(
          "transfer payload has " + payload.length + " bytes, expected " + LENGTH);
    }
    ByteBuffer b = ByteBuffer.wrap(payload, 1, LENGTH - 1);
    long id = b.getLong();
    int from = b.get();
    int to = b.get();
    long amount = b.getInt();
    String problem = Transfer.problem(from, to, amount);
    if (problem != null) {
      throw new IllegalArgumentException("invalid transfer payload: " + problem);
    }
    return new Transfer(id, from, to, amount);
  }
}
