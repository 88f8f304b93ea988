package dev.modpaxos.sim;

import dev.modpaxos.protocol.SlotBlock;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Replicas agree on application state: every replica that applied slot s holds an equal digest
 * (a user's function of the state) right after it. Catches an application that is not
 * deterministic, or one applied differently on two replicas.
 */
final class DigestChecker<A> implements Checker<A> {
  static final String NAME = "DigestChecker";
  private static final Object NULL = "null";

  private final Function<? super A, ?> digest;
  private final Violations violations;
  private final Map<Long, Object> digestAtSlot = new HashMap<>();

  DigestChecker(Function<? super A, ?> digest, Violations violations) {
    this.digest = digest;
    this.violations = violations;
  }

  @Override
  public void onApplied(int node, SlotBlock chosen, A app) {
    compare(node, chosen.slot(), app);
  }

  /** R20: a snapshot restored (or installed) at {@code slot} must hold every replica's state. */
  @Override
  public void onRestored(int node, long slot, boolean installed, A app) {
    compare(node, slot, app);
  }

  private void compare(int node, long slot, A app) {
    Object d;
    try {
      d = Objects.requireNonNullElse(digest.apply(app), NULL);
    } catch (RuntimeException e) {
      violations.report(NAME, "node " + node + " after slot " + slot + ": the digest "
          + "threw " + e);
      return;
    }
    Object earlier = digestAtSlot.putIfAbsent(slot, d);
    if (earlier != null && !Objects.equals(earlier, d)) {
      violations.report(NAME, "node " + node + " holds " + d + " after slot " + slot
          + ", another replica " + earlier);
    }
  }
}
