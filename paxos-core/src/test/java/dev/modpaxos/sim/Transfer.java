package dev.modpaxos.sim;

import java.nio.ByteBuffer;

/**
 * The toy payload of the simulator: move {@code amount} from account {@code from} to account
 * {@code to}. {@code nonce} makes every submitted payload unique, so the integrity checker can
 * tell two submissions apart even when a crash makes a node reuse an entry id.
 */
record Transfer(int from, int to, long amount, long nonce) {
  private static final int BYTES = 1 + 1 + Long.BYTES + Long.BYTES;

  byte[] encode() {
    return ByteBuffer.allocate(BYTES)
        .put((byte) from)
        .put((byte) to)
        .putLong(amount)
        .putLong(nonce)
        .array();
  }

  /** Decodes a payload; throws {@link IllegalArgumentException} if it is not a transfer. */
  static Transfer decode(byte[] payload) {
    if (payload.length != BYTES) {
      throw new IllegalArgumentException("not a transfer: " + payload.length + " bytes");
    }
    ByteBuffer b = ByteBuffer.wrap(payload);
    return new Transfer(b.get(), b.get(), b.getLong(), b.getLong());
  }

  @Override
  public String toString() {
    return "transfer(" + from + "->" + to + " " + amount + " #" + nonce + ")";
  }
}
