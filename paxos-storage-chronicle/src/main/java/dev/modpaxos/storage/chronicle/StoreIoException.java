package dev.modpaxos.storage.chronicle;

import dev.modpaxos.spi.StoreException;

/**
 * A read, write or sync of the store's files failed (a full disk, an I/O error, a fault in a
 * memory-mapped file): unlike a record that is too large, it may have left a write half-done, so
 * the store takes no more writes and acknowledges nothing more ({@code ChronicleStore}).
 */
final class StoreIoException extends StoreException {
  StoreIoException(String message, Throwable cause) {
    super(message, cause);
  }

  /** True if {@code e} or one of its causes is a {@link StoreIoException}. */
  static boolean in(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StoreIoException) {
        return true;
      }
    }
    return false;
  }

  /**
   * A one-line reason for {@code e}: "the disk is full (...)" when it or a cause says there is no
   * space, a SIGBUS in a mapped file when the JVM reports one, else its message's first line.
   */
  static String reason(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      if (m.contains("No space left") || m.contains("Not enough space")
          || m.contains("posix_fallocate() returned 28")) {
        return "the disk is full (" + firstLine(m) + ")";
      }
      if (t instanceof InternalError && m.contains("unsafe memory access")) {
        return "an I/O fault in a memory-mapped file (SIGBUS: the disk is full or failing): "
            + firstLine(m);
      }
    }
    return firstLine(e.getMessage() != null ? e.getMessage() : e.toString());
  }

  private static String firstLine(String m) {
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
