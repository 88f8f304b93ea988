package dev.modpaxos.spi;

/** A store could not read or persist state. The node stops on it. */
public class StoreException extends RuntimeException {
  /**
   * @param message what could not be read or persisted
   */
  public StoreException(String message) {
    super(message);
  }

  /**
   * @param message what could not be read or persisted
   * @param cause the underlying failure
   */
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
