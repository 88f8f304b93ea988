package dev.modpaxos.bank;

/**
 * One transfer of {@code amount} from client {@code from} to client {@code to}. Client Si's account
 * lives on server Si, so the transfer is executed by server {@code from}.
 *
 * @param id identifies the transfer across re-sends; it is executed at most once per id
 * @param from the paying client (1..5)
 * @param to the receiving client (1..5), never {@code from}
 * @param amount a positive whole amount, at most {@link #AMOUNT_MAX}
 */
public record Transfer(long id, int from, int to, long amount) {
  /** The largest amount accepted; keeps every sum of balances far from overflow. */
  public static final long AMOUNT_MAX = 1_000_000_000L;

  public Transfer {
    String problem = problem(from, to, amount);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /** Why {@code (from, to, amount)} is not a valid transfer, or null if it is. */
  public static String problem(int from, int to, long amount) {
    if (from < 1 || from > Servers.COUNT) {
      return "unknown sender " + from;
    }
    if (to < 1 || to > Servers.COUNT) {
      return "unknown receiver " + to;
    }
    if (from == to) {
      return "self-transfer (" + Servers.name(from) + " to itself) moves no money";
    }
    if (amount <= 0) {
      return "amount must be positive, got " + amount;
    }
    if (amount > AMOUNT_MAX) {
      return "amount " + amount + " is too large (at most " + String.format("%,d", AMOUNT_MAX) + ")";
    }
    return null;
  }

  /** The low bits of the id, "#17": the transfer's number within its session, for humans. */
  public String label() {
    return "#" + (id & 0xF_FFFF);
  }

  /** "(S1, S3, 45)", the notation of the input files. */
  @Override
  public String toString() {
    return "(" + Servers.name(from) + ", " + Servers.name(to) + ", " + amount + ")";
  }
}
