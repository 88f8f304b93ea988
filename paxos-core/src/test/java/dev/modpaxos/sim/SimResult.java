package dev.modpaxos.sim;

import java.util.List;

/**
 * What one simulated run found and counted.
 *
 * @param seed the seed that decided everything
 * @param shape the run's shape, drawn from the seed
 * @param violationCount every violation reported
 * @param violations the first few violations, in order
 * @param chosenBlocks slots known chosen
 * @param chosenEntries distinct entries known chosen
 * @param crashes node crashes, idle or part-way through a Ready
 * @param amnesia crashes that also damaged or wiped the node's disk (R16)
 * @param lostForGood nodes that crashed and never returned
 * @param partitions partitions started
 * @param dropped messages lost, blocked by a partition or addressed to a down node
 * @param prepareRounds PREPARE phases started (full rounds)
 * @param prepareMessages PREPARE messages sent over the network
 * @param ticks simulated ticks, both phases
 * @param livenessTicks ticks the liveness phase took until every acknowledged entry was chosen
 * @param reads linearizable reads that succeeded (R19)
 * @param readsFailed reads that failed, as they may (no majority in time, node stopped)
 * @param staleReads successful reads that missed a slot applied before they were called
 * @param snapshots snapshots nodes wrote (R20)
 * @param installs snapshots nodes installed from a peer (R20)
 * @param reconfigs membership changes (adds, promotions, removals) chosen and applied (R21)
 * @param asideBoots boots whose store handed over chosen blocks above a damaged slot (R16)
 * @param floorBoots boots after a crash whose store held an id floor, so the node fenced the
 *     ids it may have sent early (R15)
 * @param traceHash hash of the trace, if it was on
 */
record SimResult(
    long seed,
    SimShape shape,
    long violationCount,
    List<Violation> violations,
    long chosenBlocks,
    long chosenEntries,
    long crashes,
    long amnesia,
    long lostForGood,
    long partitions,
    long dropped,
    long prepareRounds,
    long prepareMessages,
    long ticks,
    long livenessTicks,
    long reads,
    long readsFailed,
    long staleReads,
    long snapshots,
    long installs,
    long reconfigs,
    long asideBoots,
    long floorBoots,
    long traceHash) {

  boolean failed() {
    return violationCount > 0;
  }

  /** The checker that fired first, or null. */
  String firstChecker() {
    return violations.isEmpty() ? null : violations.get(0).checker();
  }
}
