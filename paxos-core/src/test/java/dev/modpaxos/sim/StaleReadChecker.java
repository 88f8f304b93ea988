package dev.modpaxos.sim;

import dev.modpaxos.protocol.SlotBlock;
import java.util.HashMap;
import java.util.Map;

/**
 * Linearizable reads (R19): a read that succeeds sees every slot that was chosen and applied
 * anywhere before it was called. When a read is called, the checker notes the highest slot any
 * replica had applied by then (every write in it was chosen, and its submitter's {@code chosen}
 * future may have completed); the read's query reports the slot its node had applied when it
 * ran. Below the noted slot is a stale read, and a violation. A read that fails is allowed.
 */
final class StaleReadChecker implements Checker<Object> {
  static final String NAME = "StaleReadChecker";

  private record Key(int node, long read) {}

  private final Violations violations;
  // Invariant: the highest slot any replica applied so far, over every incarnation.
  private long appliedAnywhere;
  // Reads called and not yet settled: the slot each must see at least.
  private final Map<Key, Long> floors = new HashMap<>();
  private long served;
  private long failed;
  private long stale;

  StaleReadChecker(Violations violations) {
    this.violations = violations;
  }

  @Override
  public void onApplied(int node, SlotBlock chosen, Object app) {
    appliedAnywhere = Math.max(appliedAnywhere, chosen.slot());
  }

  @Override
  public void onReadCalled(int node, long read) {
    floors.put(new Key(node, read), appliedAnywhere);
  }

  @Override
  public void onReadServed(int node, long read, long appliedSlot) {
    Long floor = floors.remove(new Key(node, read));
    if (floor == null) {
      violations.report(NAME, "node " + node + " served read #" + read + " twice or uncalled");
      return;
    }
    served++;
    if (appliedSlot < floor) {
      stale++;
      violations.report(NAME, "node " + node + " served read #" + read + " at slot " + appliedSlot
          + ", but slot " + floor + " was applied before the read was called");
    }
  }

  @Override
  public void onReadFailed(int node, long read, Throwable cause) {
    if (floors.remove(new Key(node, read)) != null) {
      failed++;
    }
  }

  /** Reads that succeeded. */
  long served() {
    return served;
  }

  /** Reads that failed, as they may (no majority in time, the node stopped). */
  long failed() {
    return failed;
  }

  /** Successful reads that missed a slot applied before they were called. */
  long stale() {
    return stale;
  }
}
