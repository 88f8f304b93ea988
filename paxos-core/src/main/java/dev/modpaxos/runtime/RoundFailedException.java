package dev.modpaxos.runtime;

/** A requested round gave up without a majority (docs/PROTOCOL.md R14). */
public final class RoundFailedException extends RuntimeException {
  public RoundFailedException(String message) {
    super(message);
  }
}
