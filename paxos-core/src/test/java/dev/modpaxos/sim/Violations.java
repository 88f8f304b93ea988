package dev.modpaxos.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Where checkers report what they find. Never throws: the simulation runs to its end and the test
 * decides. Keeps the first {@link #KEPT_MAX} violations and counts all of them. Not thread-safe.
 */
final class Violations {
  static final int KEPT_MAX = 20;

  private final LongSupplier clock;
  private final List<Violation> kept = new ArrayList<>();
  private long count;

  Violations(LongSupplier clock) {
    this.clock = clock;
  }

  void report(String checker, String message) {
    count++;
    if (kept.size() < KEPT_MAX) {
      kept.add(new Violation(checker, clock.getAsLong(), message));
    }
  }

  long count() {
    return count;
  }

  List<Violation> first() {
    return List.copyOf(kept);
  }
}
