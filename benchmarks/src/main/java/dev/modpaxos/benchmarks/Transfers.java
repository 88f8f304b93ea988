package dev.modpaxos.benchmarks;

import java.nio.ByteBuffer;

/**
 * The transfer workload every cluster benchmark runs: 5 accounts, 32-byte commands {@code (from,
 * to, amount, nonce, padding)}, applied to an array of balances. Not thread-safe.
 */
final class Transfers {
  static final int ACCOUNTS = 5;
  static final int COMMAND_BYTES = 32;

  private final long[] balances = new long[ACCOUNTS];
  private long nonce;

  Transfers() {
    java.util.Arrays.fill(balances, 100);
  }

  /** The next command: a transfer of 1 between two of the 5 accounts, round robin. */
  byte[] next() {
    long n = nonce++;
    int from = (int) (n % ACCOUNTS);
    int to = (from + 1 + (int) (n / ACCOUNTS % (ACCOUNTS - 1))) % ACCOUNTS;
    return ByteBuffer.allocate(COMMAND_BYTES).putInt(from).putInt(to).putLong(1).putLong(n).array();
  }

  /** Applies one command; returns the sender's balance afterwards. */
  long apply(byte[] command) {
    ByteBuffer b = ByteBuffer.wrap(command);
    int from = b.getInt();
    int to = b.getInt();
    long amount = b.getLong();
    balances[from] -= amount;
    balances[to] += amount;
    return balances[from];
  }

  /** {@return a copy of the balances} */
  long[] balances() {
    return balances.clone();
  }

  /** Replaces the balances (a snapshot's restore). */
  void restore(long[] snapshot) {
    System.arraycopy(snapshot, 0, balances, 0, ACCOUNTS);
  }
}
