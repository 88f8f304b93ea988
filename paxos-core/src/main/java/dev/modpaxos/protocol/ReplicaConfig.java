package dev.modpaxos.protocol;

import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Immutable configuration of one {@link Replica}. Build with {@link #builder(int, List)}.
 *
 * @param clusterId names the cluster; a store records it and a node refuses a store of another
 *     cluster (R16)
 * @param nodeId this node's id: one of {@code members}, or for a node that joins later (R21) an
 *     id outside them
 * @param members the initial membership, every member at generation 1; ids are positive and
 *     distinct (membership changes are chosen in slots, R17)
 * @param trigger when rounds start (R14)
 * @param seed the only source of randomness (back-off jitter)
 * @param roundTimeoutTicks ticks a phase may wait for a majority before it is abandoned
 * @param backoffTicksMax upper bound of the randomised back-off after a lost round
 * @param promiseWaitTicks in ON_DEMAND mode, extra ticks to wait for the remaining promises once a
 *     majority answered, so that the round collects every reachable local log
 * @param roundAttemptsMax in ON_DEMAND mode, attempts before {@code runRound()} reports failure
 * @param forwardIntervalTicks in AUTO mode, how often a follower re-forwards pending entries
 * @param blockEntriesMax the most entries one block may hold (also caps a PROMISE's local log and
 *     a FORWARD)
 * @param blockBytesMax about the most payload bytes one block may hold, with the same reach; keep
 *     it well below the transport's message limit (a CATCHUP carries up to four times this)
 * @param catchUpBlocksMax the most blocks one CATCHUP message carries
 * @param pipelineSlots the most slots a leader keeps in flight at once (R18), at most {@link
 *     #PIPELINE_SLOTS_LIMIT}; 1 turns pipelining off
 * @param pipelineEntriesMax the most entries a leader keeps in flight, over all its slots (R18;
 *     one slot may always be in flight)
 * @param pipelineBytesMax about the most payload bytes a leader keeps in flight (R18)
 */
public record ReplicaConfig(
    String clusterId,
    int nodeId,
    List<Integer> members,
    RoundTrigger trigger,
    long seed,
    int roundTimeoutTicks,
    int backoffTicksMax,
    int promiseWaitTicks,
    int roundAttemptsMax,
    int forwardIntervalTicks,
    int blockEntriesMax,
    int blockBytesMax,
    int catchUpBlocksMax,
    int pipelineSlots,
    int pipelineEntriesMax,
    int pipelineBytesMax) {

  /**
   * R18, a protocol constant (every member must agree on it): an acceptor votes for slot {@code s}
   * only if {@code s <= committedSlot + PIPELINE_SLOTS_LIMIT}, so a vote for {@code s} proves it
   * had committed {@code s - PIPELINE_SLOTS_LIMIT}.
   */
  public static final int PIPELINE_SLOTS_LIMIT = 8;

  /** A store keeps the votes of this many highest slots at least (Store#saveAccepted, R18). */
  public static final int VOTES_KEPT = 2 * PIPELINE_SLOTS_LIMIT;

  /** The cluster id a {@link Builder} uses unless told otherwise. */
  public static final String CLUSTER_ID_DEFAULT = "modpaxos";

  /**
   * Checks the components and copies the lists.
   *
   * @param clusterId see {@link #clusterId()}
   * @param nodeId see {@link #nodeId()}
   * @param members see {@link #members()}
   * @param trigger see {@link #trigger()}
   * @param seed see {@link #seed()}
   * @param roundTimeoutTicks see {@link #roundTimeoutTicks()}
   * @param backoffTicksMax see {@link #backoffTicksMax()}
   * @param promiseWaitTicks see {@link #promiseWaitTicks()}
   * @param roundAttemptsMax see {@link #roundAttemptsMax()}
   * @param forwardIntervalTicks see {@link #forwardIntervalTicks()}
   * @param blockEntriesMax see {@link #blockEntriesMax()}
   * @param blockBytesMax see {@link #blockBytesMax()}
   * @param catchUpBlocksMax see {@link #catchUpBlocksMax()}
   * @param pipelineSlots see {@link #pipelineSlots()}
   * @param pipelineEntriesMax see {@link #pipelineEntriesMax()}
   * @param pipelineBytesMax see {@link #pipelineBytesMax()}
   */
  public ReplicaConfig {
    Objects.requireNonNull(clusterId, "clusterId");
    if (clusterId.isBlank()) {
      throw new IllegalArgumentException("clusterId must not be blank");
    }
    Objects.requireNonNull(members, "members");
    TreeSet<Integer> distinct = new TreeSet<>(members);
    if (distinct.size() != members.size()) {
      throw new IllegalArgumentException("members must be distinct, got " + members);
    }
    members = List.copyOf(distinct);
    Objects.requireNonNull(trigger, "trigger");
    if (members.isEmpty() || members.get(0) <= 0) {
      throw new IllegalArgumentException("members must be positive node ids, got " + members);
    }
    if (nodeId <= 0) {
      throw new IllegalArgumentException("nodeId must be positive, got " + nodeId);
    }
    requirePositive("roundTimeoutTicks", roundTimeoutTicks);
    requirePositive("backoffTicksMax", backoffTicksMax);
    requirePositive("roundAttemptsMax", roundAttemptsMax);
    requirePositive("forwardIntervalTicks", forwardIntervalTicks);
    requirePositive("blockEntriesMax", blockEntriesMax);
    requirePositive("blockBytesMax", blockBytesMax);
    requirePositive("catchUpBlocksMax", catchUpBlocksMax);
    requirePositive("pipelineSlots", pipelineSlots);
    if (pipelineSlots > PIPELINE_SLOTS_LIMIT) {
      throw new IllegalArgumentException(
          "pipelineSlots must be <= " + PIPELINE_SLOTS_LIMIT + ", got " + pipelineSlots);
    }
    requirePositive("pipelineEntriesMax", pipelineEntriesMax);
    requirePositive("pipelineBytesMax", pipelineBytesMax);
    if (promiseWaitTicks < 0) {
      throw new IllegalArgumentException("promiseWaitTicks must be >= 0, got " + promiseWaitTicks);
    }
  }

  private static void requirePositive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be > 0, got " + value);
    }
  }

  /** {@return N/2 + 1, the size of a majority (R1)} */
  public int majority() {
    return members.size() / 2 + 1;
  }

  /**
   * {@return a builder for member {@code nodeId} of a cluster of {@code members}, every other
   * setting at its default}
   *
   * @param nodeId this node's id: one of {@code members}, or outside them for a node that joins
   *     later (it starts without bootstrap and runs as a learner until added, R21)
   * @param members the founding member ids, distinct and positive
   */
  public static Builder builder(int nodeId, List<Integer> members) {
    return new Builder(nodeId, members);
  }

  /** {@return a builder preset with this configuration's values} */
  public Builder toBuilder() {
    return new Builder(nodeId, members)
        .clusterId(clusterId)
        .trigger(trigger)
        .seed(seed)
        .roundTimeoutTicks(roundTimeoutTicks)
        .backoffTicksMax(backoffTicksMax)
        .promiseWaitTicks(promiseWaitTicks)
        .roundAttemptsMax(roundAttemptsMax)
        .forwardIntervalTicks(forwardIntervalTicks)
        .blockEntriesMax(blockEntriesMax)
        .blockBytesMax(blockBytesMax)
        .catchUpBlocksMax(catchUpBlocksMax)
        .pipelineSlots(pipelineSlots)
        .pipelineEntriesMax(pipelineEntriesMax)
        .pipelineBytesMax(pipelineBytesMax);
  }

  /** Builder with the documented defaults. */
  public static final class Builder {
    private final int nodeId;
    private final List<Integer> members;
    private String clusterId = CLUSTER_ID_DEFAULT;
    private RoundTrigger trigger = RoundTrigger.AUTO;
    private long seed;
    private int roundTimeoutTicks = 20;
    private int backoffTicksMax = 10;
    private int promiseWaitTicks = 2;
    private int roundAttemptsMax = 4;
    private int forwardIntervalTicks = 10;
    private int blockEntriesMax = 4096;
    private int blockBytesMax = 1 << 20;
    private int catchUpBlocksMax = 64;
    private int pipelineSlots = 4;
    private int pipelineEntriesMax = 4 * 4096;
    private int pipelineBytesMax = 4 << 20;

    private Builder(int nodeId, List<Integer> members) {
      this.nodeId = nodeId;
      this.members = members;
      this.seed = nodeId;
    }

    /**
     * Default {@link #CLUSTER_ID_DEFAULT}; give every cluster its own.
     *
     * @param v the cluster id, not blank
     * @return this builder
     */
    public Builder clusterId(String v) {
      clusterId = v;
      return this;
    }

    /**
     * @param v see {@link ReplicaConfig#trigger()}; default {@code AUTO}
     * @return this builder
     */
    public Builder trigger(RoundTrigger v) {
      trigger = v;
      return this;
    }

    /**
     * @param v see {@link ReplicaConfig#seed()}; default the node id
     * @return this builder
     */
    public Builder seed(long v) {
      seed = v;
      return this;
    }

    /**
     * @param v see {@link ReplicaConfig#roundTimeoutTicks()}; default 20
     * @return this builder
     */
    public Builder roundTimeoutTicks(int v) {
      roundTimeoutTicks = v;
      return this;
    }

    /**
     * @param v see {@link ReplicaConfig#backoffTicksMax()}; default 10
     * @return this builder
     */
    public Builder backoffTicksMax(int v) {
      backoffTicksMax = v;
      return this;
    }

    /**
     * @param v see {@link ReplicaConfig#promiseWaitTicks()}; default 2
     * @return this builder
     */
    public Builder promiseWaitTicks(int v) {
      promiseWaitTicks = v;
      return this;
    }

    /**
     * @param v see {@link ReplicaConfig#roundAttemptsMax()}; default 4
     * @return this builder
     */
    public Builder roundAttemptsMax(int v) {
      roundAttemptsMax = v;
      return this;
    }

    /**
     * @param v see {@link ReplicaConfig#forwardIntervalTicks()}; default 10
     * @return this builder
     */
    public Builder forwardIntervalTicks(int v) {
      forwardIntervalTicks = v;
      return this;
    }

    /**
     * @param v see {@link ReplicaConfig#blockEntriesMax()}; default 4096
     * @return this builder
     */
    public Builder blockEntriesMax(int v) {
      blockEntriesMax = v;
      return this;
    }

    /**
     * @param v see {@link ReplicaConfig#blockBytesMax()}; default 1 MiB
     * @return this builder
     */
    public Builder blockBytesMax(int v) {
      blockBytesMax = v;
      return this;
    }

    /**
     * @param v see {@link ReplicaConfig#catchUpBlocksMax()}; default 64
     * @return this builder
     */
    public Builder catchUpBlocksMax(int v) {
      catchUpBlocksMax = v;
      return this;
    }

    /**
     * Default 4; 1 keeps one slot in flight (no pipelining). At most PIPELINE_SLOTS_LIMIT.
     *
     * @param v see {@link ReplicaConfig#pipelineSlots()}
     * @return this builder
     */
    public Builder pipelineSlots(int v) {
      pipelineSlots = v;
      return this;
    }

    /**
     * Default 16,384.
     *
     * @param v see {@link ReplicaConfig#pipelineEntriesMax()}
     * @return this builder
     */
    public Builder pipelineEntriesMax(int v) {
      pipelineEntriesMax = v;
      return this;
    }

    /**
     * Default 4 MiB.
     *
     * @param v see {@link ReplicaConfig#pipelineBytesMax()}
     * @return this builder
     */
    public Builder pipelineBytesMax(int v) {
      pipelineBytesMax = v;
      return this;
    }

    /**
     * {@return the configuration}
     *
     * @throws IllegalArgumentException naming the first invalid setting
     */
    public ReplicaConfig build() {
      return new ReplicaConfig(
          clusterId,
          nodeId,
          members,
          trigger,
          seed,
          roundTimeoutTicks,
          backoffTicksMax,
          promiseWaitTicks,
          roundAttemptsMax,
          forwardIntervalTicks,
          blockEntriesMax,
          blockBytesMax,
          catchUpBlocksMax,
          pipelineSlots,
          pipelineEntriesMax,
          pipelineBytesMax);
    }
  }
}
