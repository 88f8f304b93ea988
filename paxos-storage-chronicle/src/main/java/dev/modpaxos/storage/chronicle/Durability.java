package dev.modpaxos.storage.chronicle;

/**
 * What {@link ChronicleStore#sync()} waits for before it returns.
 *
 * <p>Chronicle Map writes straight into memory-mapped files, so every write is in the operating
 * system's page cache as soon as the store call returns; it never fsyncs by itself.
 */
public enum Durability {
  /**
   * Writes are durable once they are in the page cache: they survive the process being killed
   * (kill -9, an out-of-memory kill, a JVM crash), not a power loss or kernel crash of the host.
   * {@code sync()} costs nothing. After an unclean shutdown followed by a reboot of the host the
   * page cache may have been lost, so the store reports {@code StateLoss.UNSYNCED_WRITES} (R16).
   */
  PROCESS,

  /**
   * {@code sync()} msyncs every map file written since the previous sync (and fsyncs the directory
   * after a new file was created) before it returns: acknowledged writes survive power loss.
   */
  POWER
}
