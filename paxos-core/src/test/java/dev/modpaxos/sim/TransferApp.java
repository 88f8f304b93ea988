package dev.modpaxos.sim;

import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.spi.SnapshotApplication;
import java.util.Arrays;

/**
 * The toy application each simulated replica applies chosen blocks to: {@link #ACCOUNTS} accounts
 * starting at {@link #INITIAL_BALANCE}. It applies every transfer as chosen, even an unfunded one,
 * so that the conservation checker sees what the protocol let through. Not thread-safe.
 */
final class TransferApp implements SnapshotApplication {
  static final int ACCOUNTS = 5;
  static final long INITIAL_BALANCE = 100;
  static final long TOTAL = ACCOUNTS * INITIAL_BALANCE;
  private static final byte[] PADDING = new byte[3000];

  private final long[] balances = new long[ACCOUNTS];
  // Invariant: the last slot applied; blocks arrive in slot order 1, 2, 3, ...
  private long appliedSlot;

  TransferApp() {
    Arrays.fill(balances, INITIAL_BALANCE);
  }

  /** Applies {@code block} as slot {@code slot}; throws on a bad payload. */
  @Override
  public void apply(long slot, Block block) {
    for (Entry e : block.entries()) {
      Transfer t = Transfer.decode(e.payload());
      balances[t.from()] -= t.amount();
      balances[t.to()] += t.amount();
    }
    appliedSlot = slot;
  }

  /** R20: the balances as of {@code slot}, copied now, written later. */
  @Override
  public SnapshotWriter snapshot(long slot) {
    long[] copy = balances.clone();
    return out -> {
      java.io.DataOutputStream data = new java.io.DataOutputStream(out);
      for (long b : copy) {
        data.writeLong(b);
      }
      data.write(PADDING); // so that an install takes several chunks (R20), each one a fault
      data.flush();
    };
  }

  @Override
  public void restore(long slot, java.io.InputStream in) throws java.io.IOException {
    java.io.DataInputStream data = new java.io.DataInputStream(in);
    for (int i = 0; i < ACCOUNTS; i++) {
      balances[i] = data.readLong();
    }
    data.skipNBytes(PADDING.length);
    if (data.read() != -1) {
      throw new java.io.IOException("snapshot of slot " + slot + " is longer than its balances");
    }
    appliedSlot = slot;
  }

  long appliedSlot() {
    return appliedSlot;
  }

  long balance(int account) {
    return balances[account];
  }

  long total() {
    return Arrays.stream(balances).sum();
  }

  /** A compact fingerprint of the balances, to compare replicas at the same slot. */
  String balancesText() {
    return Arrays.toString(balances);
  }
}
