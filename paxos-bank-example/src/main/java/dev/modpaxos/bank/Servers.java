package dev.modpaxos.bank;

import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * The fixed bank membership: servers S1..S5, node ids 1..5. Server Si owns the account of client
 * Si, which starts at {@link #INITIAL_BALANCE}.
 */
public final class Servers {
  public static final int COUNT = 5;
  public static final long INITIAL_BALANCE = 100;
  public static final int MAJORITY = COUNT / 2 + 1;
  /** The cluster id every bank store records (R16): a store of another cluster is refused. */
  public static final String CLUSTER_ID = "modpaxos-bank";
  /** Node ids 1..COUNT. */
  public static final List<Integer> IDS = IntStream.rangeClosed(1, COUNT).boxed().toList();

  private Servers() {}

  /** "S3" for 3. */
  public static String name(int id) {
    return "S" + id;
  }

  /**
   * Parses "S3", "s3" or "3" into 3. Throws {@link IllegalArgumentException} with a one-line reason
   * for anything else, including servers outside S1..S5.
   */
  public static int parse(String text) {
    String t = text.trim().toUpperCase(Locale.ROOT);
    String digits = t.startsWith("S") ? t.substring(1) : t;
    if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit) || digits.length() > 9) {
      throw new IllegalArgumentException("'" + text.trim() + "' is not a server (S1..S" + COUNT + ")");
    }
    int id = Integer.parseInt(digits);
    if (id < 1 || id > COUNT) {
      throw new IllegalArgumentException(
          "unknown server '" + text.trim() + "' (servers are S1..S" + COUNT + ")");
    }
    return id;
  }

  public static void requireValid(int id) {
    if (id < 1 || id > COUNT) {
      throw new IllegalArgumentException("unknown server id " + id);
    }
  }
}
