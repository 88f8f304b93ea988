package dev.modpaxos.bank.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * Mutates valid input text the way a fuzzer does. Each mutation is {@code [kind, position,
 * value]}: 0 replaces a character, 1 inserts one, 2 deletes one, 3 duplicates a line, 4 deletes a
 * line, 5 swaps two lines. Inserted characters come from {@link #ALPHABET}, which is rich in the
 * characters that matter to the parsers. Positions wrap around the current length.
 */
final class TextMutator {
  /** Characters that matter to CSV and command parsing, plus some that should never. */
  static final String ALPHABET = "Ss0123456789(),[] \"\r\n\t;-+xX.aAlL\u00e9\u0000\uFEFF\u2028";

  private TextMutator() {}

  static Arbitrary<List<int[]>> mutations(int kinds) {
    Arbitrary<int[]> one = Arbitraries.integers().between(0, kinds - 1).flatMap(kind ->
        Arbitraries.integers().between(0, 1 << 16).flatMap(pos ->
            Arbitraries.integers().between(0, 1 << 16).map(v -> new int[] {kind, pos, v})));
    return one.list().ofMinSize(1).ofMaxSize(6);
  }

  /** Random text over {@link #ALPHABET}. */
  static Arbitrary<String> randomText(int lengthMax) {
    return Arbitraries.strings().withChars(ALPHABET.toCharArray()).ofMaxLength(lengthMax);
  }

  static String apply(String text, List<int[]> mutations) {
    String t = text;
    for (int[] m : mutations) {
      t = apply(t, m[0], m[1], m[2]);
    }
    return t;
  }

  private static String apply(String t, int kind, int position, int value) {
    char c = ALPHABET.charAt(Math.floorMod(value, ALPHABET.length()));
    if (t.isEmpty()) {
      return String.valueOf(c);
    }
    int at = Math.floorMod(position, t.length());
    return switch (kind) {
      case 0 -> t.substring(0, at) + c + t.substring(at + 1);
      case 1 -> t.substring(0, at) + c + t.substring(at);
      case 2 -> t.substring(0, at) + t.substring(at + 1);
      default -> lines(t, kind, position, value);
    };
  }

  private static String lines(String t, int kind, int position, int value) {
    List<String> rows = new ArrayList<>(Arrays.asList(t.split("(?<=\n)", -1)));
    int a = Math.floorMod(position, rows.size());
    int b = Math.floorMod(value, rows.size());
    switch (kind) {
      case 3 -> rows.add(b, rows.get(a));
      case 4 -> rows.remove(a);
      default -> {
        String x = rows.get(a);
        rows.set(a, rows.get(b));
        rows.set(b, x);
      }
    }
    return String.join("", rows);
  }
}
