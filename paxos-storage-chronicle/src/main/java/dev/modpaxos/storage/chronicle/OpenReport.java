package dev.modpaxos.storage.chronicle;

/**
 * What {@link ChronicleStore#open} found in its directory.
 *
 * @param recovered true when the previous owner did not shut down cleanly and the map files were
 *     opened with Chronicle's recovery
 * @param corruptionsReported problems Chronicle's recovery reported and repaired, in all map files;
 *     most after a kill only repair bookkeeping (a segment lock the dead process held, counters)
 * @param chosenSlotsDropped chosen slots dropped because an earlier slot was missing or corrupt
 * @param localEntriesLost local-log records that failed their checksum and were dropped
 * @param acceptorStateLost true when {@code load()} reports acceptor state lost (R16), see
 *     docs/STORAGE.md for the causes
 * @param openNanos how long opening took, recovery and reading included
 */
public record OpenReport(
    boolean recovered,
    int corruptionsReported,
    long chosenSlotsDropped,
    int localEntriesLost,
    boolean acceptorStateLost,
    long openNanos) {}
