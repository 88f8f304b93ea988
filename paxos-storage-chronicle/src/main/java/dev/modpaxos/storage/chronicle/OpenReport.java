package dev.modpaxos.storage.chronicle;

import dev.modpaxos.spi.StateLoss;
import java.util.Set;

/**
 * What {@link ChronicleStore#open} found in its directory.
 *
 * @param recovered true when the previous owner did not shut down cleanly and the map files were
 *     opened with Chronicle's recovery
 * @param corruptionsReported problems Chronicle's recovery reported and repaired, in all map files;
 *     most after a kill only repair bookkeeping (a segment lock the dead process held, counters)
 * @param chosenSlotsDropped chosen slots dropped because an earlier slot was missing or damaged
 * @param localRecordsDropped local-log records that failed their checksum and were dropped
 * @param losses what {@code load()} reports lost (R16): found at this open, or at an earlier one
 *     and not yet cleared by a synced {@code saveIdentity}; see docs/STORAGE.md for the causes
 * @param openNanos how long opening took, recovery and reading included
 */
public record OpenReport(
    boolean recovered,
    int corruptionsReported,
    long chosenSlotsDropped,
    int localRecordsDropped,
    Set<StateLoss> losses,
    long openNanos) {
  /**
   * Copies {@code losses}.
   *
   * @param recovered see {@link #recovered()}
   * @param corruptionsReported see {@link #corruptionsReported()}
   * @param chosenSlotsDropped see {@link #chosenSlotsDropped()}
   * @param localRecordsDropped see {@link #localRecordsDropped()}
   * @param losses see {@link #losses()}
   * @param openNanos see {@link #openNanos()}
   */
  public OpenReport {
    losses = Set.copyOf(losses);
  }
}
