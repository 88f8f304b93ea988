package dev.modpaxos.transport.grpc;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * Mutates valid frames the way a fuzzer does: each mutation is {@code [kind, position, value]}
 * with kind 0 = flip bits (xor value), 1 = insert a byte, 2 = delete a byte, 3 = overwrite a
 * byte; positions wrap around the current length.
 */
final class ByteMutator {
  private ByteMutator() {}

  /** One to eight mutations. */
  public static Arbitrary<List<int[]>> mutations() {
    Arbitrary<int[]> one = Arbitraries.integers().between(0, 3).flatMap(kind ->
        Arbitraries.integers().between(0, 1 << 16).flatMap(pos ->
            Arbitraries.integers().between(1, 255).map(v -> new int[] {kind, pos, v})));
    return one.list().ofMinSize(1).ofMaxSize(8);
  }

  public static byte[] apply(byte[] frame, List<int[]> mutations) {
    byte[] b = frame;
    for (int[] m : mutations) {
      b = apply(b, m[0], m[1], (byte) m[2]);
    }
    return b;
  }

  private static byte[] apply(byte[] b, int kind, int position, byte value) {
    if (b.length == 0) {
      return new byte[] {value};
    }
    int at = Math.floorMod(position, b.length);
    switch (kind) {
      case 0 -> {
        byte[] c = b.clone();
        c[at] ^= value;
        return c;
      }
      case 1 -> {
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + 1);
        out.write(b, 0, at);
        out.write(value);
        out.write(b, at, b.length - at);
        return out.toByteArray();
      }
      case 2 -> {
        byte[] c = new byte[b.length - 1];
        System.arraycopy(b, 0, c, 0, at);
        System.arraycopy(b, at + 1, c, at, b.length - at - 1);
        return c;
      }
      default -> {
        byte[] c = b.clone();
        c[at] = value;
        return c;
      }
    }
  }

  /** The head of {@code a} up to {@code cutA}, then the tail of {@code b} from {@code cutB}. */
  static byte[] splice(byte[] a, int cutA, byte[] b, int cutB) {
    int ha = a.length == 0 ? 0 : Math.floorMod(cutA, a.length + 1);
    int tb = b.length == 0 ? 0 : Math.floorMod(cutB, b.length + 1);
    byte[] out = Arrays.copyOf(a, ha + b.length - tb);
    System.arraycopy(b, tb, out, ha, b.length - tb);
    return out;
  }
}
