package dev.modpaxos.runtime;

/** {@code submit} refused because the local log or the in-flight work reached its bound. */
public final class BackPressureException extends IllegalStateException {
  /**
   * @param message what is full and what to wait for
   */
  public BackPressureException(String message) {
    super(message);
  }
}
