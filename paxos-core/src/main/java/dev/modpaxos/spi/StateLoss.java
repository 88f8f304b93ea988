package dev.modpaxos.spi;

/**
 * What a {@link Store} found lost or damaged at {@link Store#load()} (docs/PROTOCOL.md R16). Any
 * loss means the node cannot prove that its promises and entry ids survived, so it never votes
 * or proposes under its old generation again.
 */
public enum StateLoss {
  /** The promised ballot or the accepted value is missing or failed its checksum. */
  ACCEPTOR_STATE,
  /** Chosen blocks that were acknowledged durable are missing or damaged. */
  CHOSEN_BLOCKS,
  /** Local-log entries that were acknowledged durable are missing or damaged. */
  LOCAL_ENTRIES,
  /**
   * Writes acknowledged durable may have been lost without a trace (for example a reboot of a
   * store that syncs to the page cache only).
   */
  UNSYNCED_WRITES
}
