package dev.modpaxos.sim;

import java.util.ArrayList;
import java.util.List;

/** Sums of many runs, and the one totals line SimulationTest prints last. Not thread-safe. */
final class SimTotals {
  private long seeds;
  private long violations;
  private long chosenBlocks;
  private long chosenEntries;
  private long crashes;
  private long amnesia;
  private long lostForGood;
  private long partitions;
  private long dropped;
  private long prepareRounds;
  private long reads;
  private long readsFailed;
  private long staleReads;
  private long snapshots;
  private long installs;
  private long reconfigs;
  private long asideBoots;
  private long floorBoots;
  private SimResult slowestLiveness;
  private final List<SimResult> failed = new ArrayList<>();

  void add(SimResult r) {
    seeds++;
    violations += r.violationCount();
    chosenBlocks += r.chosenBlocks();
    chosenEntries += r.chosenEntries();
    crashes += r.crashes();
    amnesia += r.amnesia();
    lostForGood += r.lostForGood();
    partitions += r.partitions();
    dropped += r.dropped();
    prepareRounds += r.prepareRounds();
    reads += r.reads();
    readsFailed += r.readsFailed();
    staleReads += r.staleReads();
    snapshots += r.snapshots();
    installs += r.installs();
    reconfigs += r.reconfigs();
    asideBoots += r.asideBoots();
    floorBoots += r.floorBoots();
    if (slowestLiveness == null || r.livenessTicks() > slowestLiveness.livenessTicks()) {
      slowestLiveness = r;
    }
    if (r.failed()) {
      failed.add(r);
    }
  }

  long seeds() {
    return seeds;
  }

  long violations() {
    return violations;
  }

  long chosenBlocks() {
    return chosenBlocks;
  }

  long chosenEntries() {
    return chosenEntries;
  }

  long crashes() {
    return crashes;
  }

  long reads() {
    return reads;
  }

  long staleReads() {
    return staleReads;
  }

  long snapshots() {
    return snapshots;
  }

  long installs() {
    return installs;
  }

  long reconfigs() {
    return reconfigs;
  }

  List<SimResult> failed() {
    return List.copyOf(failed);
  }

  /** Extra figures, for tuning; not part of the totals line. */
  String statsLine() {
    return "simulation stats: prepare_rounds=" + prepareRounds + " lost_for_good=" + lostForGood
        + " reads_failed=" + readsFailed + " liveness_ticks_max="
        + (slowestLiveness == null ? 0 : slowestLiveness.livenessTicks() + " (seed "
            + slowestLiveness.seed() + ")");
  }

  String line() {
    return "simulation seeds=" + seeds + " violations=" + violations + " chosen_blocks="
        + chosenBlocks + " chosen_entries=" + chosenEntries + " crashes=" + crashes
        + " amnesia=" + amnesia + " partitions=" + partitions + " dropped=" + dropped
        + " reads=" + reads + " stale_reads=" + staleReads + " snapshots=" + snapshots
        + " installs=" + installs
        + " reconfigs=" + reconfigs
        + " aside=" + asideBoots + " fenced=" + floorBoots;
  }
}
