package dev.modpaxos.sim;

/** One broken property, found by {@code checker} at simulated tick {@code tick}. */
record Violation(String checker, long tick, String message) {
  @Override
  public String toString() {
    return checker + " t=" + tick + ": " + message;
  }
}
