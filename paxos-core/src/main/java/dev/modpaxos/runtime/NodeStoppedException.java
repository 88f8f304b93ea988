package dev.modpaxos.runtime;

/** The node is not running (never started, closed, or stopped after a store failure). */
public final class NodeStoppedException extends IllegalStateException {
  /**
   * @param message why the node is not running
   */
  public NodeStoppedException(String message) {
    super(message);
  }

  /**
   * @param message why the node is not running
   * @param cause what stopped it
   */
  public NodeStoppedException(String message, Throwable cause) {
    super(message, cause);
  }
}
