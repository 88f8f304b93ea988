package dev.modpaxos.spi;

/** A store could not read or persist state. The node stops on it. */
public class StoreException extends RuntimeException {
  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
