package dev.modpaxos.runtime;

/** The node is not running (never started, closed, or stopped after a store failure). */
public final class NodeStoppedException extends IllegalStateException {
  public NodeStoppedException(String message) {
    super(message);
  }

  public NodeStoppedException(String message, Throwable cause) {
    super(message, cause);
  }
}
