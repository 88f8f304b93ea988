package dev.modpaxos.sim;

import java.util.List;

/** What a {@link Simulator#run()} found, summed over its seeds. Immutable. */
public final class SimReport {
  private final long seeds;
  private final long violations;
  private final List<Long> failedSeeds;
  private final long chosenBlocks;
  private final long chosenEntries;
  private final long crashes;
  private final long reads;
  private final long staleReads;
  private final long reconfigs;
  private final String totalsLine;

  SimReport(SimTotals totals) {
    this.seeds = totals.seeds();
    this.violations = totals.violations();
    this.failedSeeds = totals.failed().stream().map(SimResult::seed).toList();
    this.chosenBlocks = totals.chosenBlocks();
    this.chosenEntries = totals.chosenEntries();
    this.crashes = totals.crashes();
    this.reads = totals.reads();
    this.staleReads = totals.staleReads();
    this.reconfigs = totals.reconfigs();
    this.totalsLine = totals.line();
  }

  /** Seeds run. */
  public long seeds() {
    return seeds;
  }

  /** Violations found, by every checker, over every seed. */
  public long violations() {
    return violations;
  }

  /** The seeds that found a violation, in order. */
  public List<Long> failedSeeds() {
    return failedSeeds;
  }

  /** Slots known chosen, summed over the seeds. */
  public long chosenBlocks() {
    return chosenBlocks;
  }

  /** Distinct entries known chosen, summed over the seeds. */
  public long chosenEntries() {
    return chosenEntries;
  }

  /** Node crashes, summed over the seeds. */
  public long crashes() {
    return crashes;
  }

  /** Linearizable reads that succeeded, summed over the seeds. */
  public long reads() {
    return reads;
  }

  /** Successful reads that missed a slot applied before they were called (each a violation). */
  public long staleReads() {
    return staleReads;
  }

  /** Membership changes (adds, promotions, removals) chosen, summed over the seeds (R21). */
  public long reconfigs() {
    return reconfigs;
  }

  /** The totals line, as printed last: {@code simulation seeds=N violations=V ...}. */
  public String totalsLine() {
    return totalsLine;
  }

  @Override
  public String toString() {
    return totalsLine;
  }
}
