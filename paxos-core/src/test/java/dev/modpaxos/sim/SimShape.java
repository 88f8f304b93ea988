package dev.modpaxos.sim;

import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.protocol.RoundTrigger;
import java.util.SplittableRandom;

/**
 * The shape of one simulated run: cluster size, round trigger, fault rates, workload and phase
 * lengths. {@link #fromSeed} draws it from the run's random stream, so seeds vary the shape too.
 *
 * @param nodes cluster size (3, 5 or 7)
 * @param trigger AUTO or ON_DEMAND rounds
 * @param lossRate probability a sent message is lost
 * @param duplicateRate probability a sent message is delivered twice
 * @param delayTicksMax a message takes 1..delayTicksMax ticks
 * @param longDelayRate probability a message is held up to {@link #LONG_DELAY_TICKS_MAX} ticks
 * @param partitionRate per tick, probability a new partition starts (safety phase)
 * @param crashRate per tick, probability an idle node crashes (safety phase)
 * @param readyCrashRate per carried-out Ready, probability the node crashes part-way through it
 * @param amnesiaShare of the idle crashes, the share that also damage or wipe the disk (R16)
 * @param lostForGoodShare of the idle crashes, the share after which the node never returns
 * @param tickRateMin the slowest node ticks at this rate (1 = lockstep); rates are drawn per node
 * @param submitRate per tick, probability a random live node submits a transfer
 * @param roundRate per tick, probability a random live node calls runRound() (ON_DEMAND only)
 * @param submitterOnly if non-zero, only this node submits
 * @param amountMax the largest amount one transfer moves
 * @param safetyTicks length of the safety phase
 * @param livenessTicksMax bound of the liveness phase
 * @param livenessRoundIntervalTicks ON_DEMAND liveness phase: a runRound() every so many ticks
 * @param blockEntriesMax passed to every replica's config
 * @param catchUpBlocksMax passed to every replica's config
 * @param pipelineSlots passed to every replica's config: slots a leader keeps in flight (R18)
 * @param readRate per tick, probability a random live node starts a linearizable read (R19)
 * @param snapshotEverySlots R20: a node snapshots every this many slots (0: never), and compacts
 * @param compactionTailSlots R20: blocks kept below each snapshot for peers slightly behind
 * @param spareNodes R21: nodes beyond the founding ones, started as joiners that may be added
 * @param reconfigRate R21: per tick, probability that a membership change is asked for
 * @param promiseWaitTicks passed to every replica's config: an ON_DEMAND round's extra wait for
 *     the remaining promises (R14); a long wait (longer than the round timeout) makes the round
 *     send its PREPARE again while it waits
 */
record SimShape(
    int nodes,
    RoundTrigger trigger,
    double lossRate,
    double duplicateRate,
    int delayTicksMax,
    double longDelayRate,
    double partitionRate,
    double crashRate,
    double readyCrashRate,
    double amnesiaShare,
    double lostForGoodShare,
    double tickRateMin,
    double submitRate,
    double roundRate,
    int submitterOnly,
    long amountMax,
    int safetyTicks,
    int livenessTicksMax,
    int livenessRoundIntervalTicks,
    int blockEntriesMax,
    int catchUpBlocksMax,
    int pipelineSlots,
    double readRate,
    int snapshotEverySlots,
    int compactionTailSlots,
    int spareNodes,
    double reconfigRate,
    int promiseWaitTicks) {

  static final int LONG_DELAY_TICKS_MAX = 120;
  private static final int[] SIZES = {3, 5, 7};

  /** A random shape: every fault on, at rates that vary from seed to seed. */
  static SimShape fromSeed(SplittableRandom r) {
    int nodes = SIZES[r.nextInt(SIZES.length)];
    RoundTrigger trigger = r.nextBoolean() ? RoundTrigger.AUTO : RoundTrigger.ON_DEMAND;
    return new SimShape(
        nodes,
        trigger,
        r.nextDouble(0.0, 0.2),
        r.nextDouble(0.0, 0.1),
        1 + r.nextInt(8),
        r.nextDouble(0.0, 0.02),
        r.nextDouble(0.0, 0.02),
        r.nextDouble(0.0, 0.02),
        r.nextDouble(0.0, 0.04),
        r.nextDouble(0.0, 0.5),
        r.nextInt(4) == 0 ? r.nextDouble(0.0, 0.1) : 0.0,
        r.nextBoolean() ? 1.0 : r.nextDouble(0.3, 1.0),
        r.nextDouble(0.05, 0.5),
        r.nextDouble(0.01, 0.06),
        0,
        60,
        1000,
        5000,
        5,
        r.nextInt(4) == 0 ? 1 + r.nextInt(4) : 4096,
        r.nextInt(4) == 0 ? 1 + r.nextInt(3) : 64,
        PIPELINES[r.nextInt(PIPELINES.length)],
        r.nextDouble(0.02, 0.2),
        r.nextBoolean() ? 0 : 2 + r.nextInt(12),
        r.nextInt(6),
        r.nextInt(3),
        r.nextBoolean() ? 0.0 : r.nextDouble(0.002, 0.012),
        r.nextInt(3) == 0 ? LONG_PROMISE_WAIT_TICKS : 2);
  }

  /** A promise wait twice the default round timeout (20 ticks), as the bank's is 15 times its own. */
  static final int LONG_PROMISE_WAIT_TICKS = 40;

  /** {@return founding and spare nodes together} */
  int allNodes() {
    return nodes + spareNodes;
  }

  /** The same shape with another liveness bound (a workload that submits more needs longer). */
  SimShape withLivenessTicksMax(int ticks) {
    return new SimShape(nodes, trigger, lossRate, duplicateRate, delayTicksMax, longDelayRate,
        partitionRate, crashRate, readyCrashRate, amnesiaShare, lostForGoodShare, tickRateMin,
        submitRate, roundRate, submitterOnly, amountMax, safetyTicks, ticks,
        livenessRoundIntervalTicks, blockEntriesMax, catchUpBlocksMax, pipelineSlots, readRate,
        snapshotEverySlots, compactionTailSlots, spareNodes, reconfigRate, promiseWaitTicks);
  }

  private static final int[] PIPELINES = {1, 2, 4, ReplicaConfig.PIPELINE_SLOTS_LIMIT};

  /**
   * No faults at all (every message takes exactly one tick, so links are FIFO); only node 1
   * submits, transfers of 1, no reads: the stable-leader fast path.
   */
  static SimShape stable(int nodes, RoundTrigger trigger, int safetyTicks) {
    return new SimShape(
        nodes, trigger, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1.0, 0.3, 0, 1, 1, safetyTicks, 5000, 5, 4096,
        64, 4, 0, 0, 0, 0, 0.0, 2);
  }
}
