package dev.modpaxos.protocol;

/** What a membership change does (R21), as {@link Replica#requestReconfig} takes it. */
public enum ReconfigOp {
  /** Adds a member as a non-voting learner, under a new generation. */
  ADD_LEARNER("add-learner"),
  /** Makes a learner that has joined a voter. */
  PROMOTE("promote"),
  /** Removes a voter or a learner. */
  REMOVE("remove");

  private final String label;

  ReconfigOp(String label) {
    this.label = label;
  }

  /** {@return how logs and messages name it: {@code add-learner}, {@code promote} or {@code remove}} */
  public String label() {
    return label;
  }
}
