package dev.modpaxos.runtime;

/** A requested round gave up without a majority (docs/PROTOCOL.md R14). */
public final class RoundFailedException extends RuntimeException {
  /**
   * @param message how many attempts failed, and why
   */
  public RoundFailedException(String message) {
    super(message);
  }
}
