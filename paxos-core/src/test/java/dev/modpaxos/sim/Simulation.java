package dev.modpaxos.sim;

import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.protocol.RoundEvent;
import dev.modpaxos.protocol.Stamp;
import dev.modpaxos.spi.Application;
import dev.modpaxos.spi.StateLoss;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * A deterministic simulation of one cluster, on one thread, with a virtual clock in ticks. One
 * seed decides everything through one {@link SplittableRandom}: the run's shape, message loss,
 * duplication, delay and reordering, symmetric and one-way partitions, crashes (idle or part-way
 * through a Ready), the workload and every replica's own seed. The same seed gives the same run.
 *
 * <p>A safety phase with faults is followed by a liveness phase: partitions healed, loss off,
 * every node up, ticking until every acknowledged entry is chosen or the bound passes. The
 * checkers ({@link Checker}) watch throughout and report to {@link Violations}; nothing throws.
 * In the style of TigerBeetle's VOPR and FoundationDB's simulator. Not thread-safe.
 *
 * <p>What the nodes run and what the workload submits comes from a {@link SimModel}: the toy bank
 * ({@link TransferModel}) unless told otherwise, or a user's application ({@link Simulator}).
 *
 * @param <A> the application on every node
 */
final class Simulation<A extends Application> implements SimNode.Env<A> {
  private static final int DOWN_TICKS_MIN = 5;
  private static final int DOWN_TICKS_SPREAD = 150;
  private static final int PARTITION_TICKS_MIN = 20;
  private static final int PARTITION_TICKS_SPREAD = 180;

  private final long seed;
  private final SimShape shape;
  private final SplittableRandom random;
  private final SimTrace trace;
  private final SimNetwork network;
  // Every node of the run, founding and spare: the model's account owners and partition sides.
  private final List<Integer> members = new ArrayList<>();
  // R21: the founding members, as every node's config names them.
  private final List<Integer> founding = new ArrayList<>();
  private final List<SimNode<A>> nodes;
  private final long[] restartAtTick;
  // Per node: the share of global ticks at which it ticks (slow nodes and clock drift).
  private final double[] tickRate;
  private final boolean[] lostForGood;
  private final Violations violations = new Violations(this::now);
  private final AgreementChecker agreement;
  private final IntegrityChecker integrity;
  private final LivenessChecker liveness;
  private final StaleReadChecker staleReads;
  private final CheckerSet<A> checkers;
  private final Workload<A> workload;
  private long tick;
  private boolean faultsOn = true;
  private long crashes;
  // Crashes that also damaged or wiped the node's disk (R16).
  private long amnesia;
  private long lostForGoodCount;
  private long partitions;
  private long prepareRounds;
  private long prepareMessages;
  // R21: membership changes asked for, and the one still pending (at most one at a time).
  // The one change asked for and not yet in the applied blocks (0: none).
  private int changeId;
  private boolean changeIsAdd;


  /** A run whose shape is drawn from {@code seed}. */
  static SimResult run(long seed, ProtocolVariant variant, SimTrace trace) {
    return run(seed, UnaryOperator.identity(), variant, trace);
  }

  /**
   * A run whose shape is drawn from {@code seed}, then changed by {@code reshape} (e.g. to turn
   * faults off); {@code seed} still decides everything else.
   */
  static SimResult run(
      long seed, UnaryOperator<SimShape> reshape, ProtocolVariant variant, SimTrace trace) {
    return run(seed, reshape, variant, TransferModel::new, trace);
  }

  /** A run of {@code model}'s application and workload, its shape drawn and then reshaped. */
  static <A extends Application> SimResult run(
      long seed,
      UnaryOperator<SimShape> reshape,
      ProtocolVariant variant,
      SimModel.Factory<A> model,
      SimTrace trace) {
    SplittableRandom random = new SplittableRandom(seed);
    SimShape shape = reshape.apply(SimShape.fromSeed(random));
    return new Simulation<>(seed, random, shape, variant, model, trace).run();
  }

  private Simulation(
      long seed,
      SplittableRandom random,
      SimShape shape,
      ProtocolVariant variant,
      SimModel.Factory<A> modelFactory,
      SimTrace trace) {
    this.seed = seed;
    this.shape = shape;
    this.random = random;
    this.trace = trace;
    this.network = new SimNetwork(random, shape);
    this.restartAtTick = new long[shape.allNodes()];
    this.tickRate = new double[shape.allNodes()];
    this.lostForGood = new boolean[shape.allNodes()];
    for (int i = 0; i < shape.allNodes(); i++) {
      members.add(i + 1);
      if (i < shape.nodes()) {
        founding.add(i + 1);
      }
    }
    SimModel<A> model = modelFactory.create(shape, Collections.unmodifiableList(members),
        violations);
    List<SimNode<A>> all = new ArrayList<>();
    for (int i = 0; i < shape.allNodes(); i++) {
      all.add(new SimNode<>(i + 1, variant, model, this));
      tickRate[i] = shape.tickRateMin() >= 1.0 ? 1.0 : random.nextDouble(shape.tickRateMin(), 1.0);
    }
    this.nodes = List.copyOf(all);
    this.agreement = new AgreementChecker(violations,
        new dev.modpaxos.protocol.ConfigOracle(founding));
    this.integrity = new IntegrityChecker(violations);
    this.liveness = new LivenessChecker(violations);
    this.staleReads = new StaleReadChecker(violations);
    List<Checker<? super A>> watching = new ArrayList<>(
        List.of(agreement, new DurabilityChecker(violations), integrity, liveness, staleReads));
    watching.addAll(model.stateCheckers());
    this.checkers = new CheckerSet<>(watching);
    this.workload = new Workload<>(random, shape, model);
  }

  private SimResult run() {
    trace.line(tick, "seed " + seed + " " + shape);
    for (SimNode<A> n : nodes) {
      n.start(config(n.id()), founding.contains(n.id()));
    }
    while (tick < shape.safetyTicks()) {
      tick++;
      injectFaults();
      workload.safetyTick(nodes);
      advance();
    }
    startLivenessPhase();
    long start = tick;
    while (tick - start < shape.livenessTicksMax() && !liveness.satisfied()) {
      tick++;
      restartDue();
      workload.livenessTick(nodes, tick - start);
      advance();
    }
    checkers.onLivenessPhaseEnd(tick - start);
    trace.line(tick, "end violations=" + violations.count());
    return new SimResult(
        seed,
        shape,
        violations.count(),
        violations.first(),
        agreement.chosenSlots(),
        integrity.chosenEntries(),
        crashes,
        amnesia,
        lostForGoodCount,
        partitions,
        network.dropped(),
        prepareRounds,
        prepareMessages,
        tick,
        tick - start,
        staleReads.served(),
        staleReads.failed(),
        staleReads.stale(),
        nodes.stream().mapToLong(SimNode::snapshots).sum(),
        nodes.stream().mapToLong(SimNode::installs).sum(),
        agreement.reconfigs(),
        nodes.stream().mapToLong(SimNode::asideBoots).sum(),
        nodes.stream().mapToLong(SimNode::floorBoots).sum(),
        trace.hash());
  }

  private ReplicaConfig config(int id) {
    return ReplicaConfig.builder(id, founding)
        .trigger(shape.trigger())
        .seed(random.nextLong())
        .blockEntriesMax(shape.blockEntriesMax())
        .catchUpBlocksMax(shape.catchUpBlocksMax())
        .pipelineSlots(shape.pipelineSlots())
        .promiseWaitTicks(shape.promiseWaitTicks())
        .build();
  }

  /** One tick for every live node, then every message due by now. */
  private void advance() {
    for (SimNode<A> n : nodes) {
      if (tickRate[n.id() - 1] >= 1.0 || random.nextDouble() < tickRate[n.id() - 1]) {
        n.tick();
      }
    }
    for (SimNetwork.InFlight f = network.pollDue(tick); f != null; f = network.pollDue(tick)) {
      Message m = f.message();
      SimNode<A> to = nodes.get(m.to() - 1);
      if (!to.isUp() || network.isBlocked(m.from(), m.to())) {
        network.drop();
        continue;
      }
      if (trace.on()) {
        trace.line(tick, "deliver " + m);
      }
      to.deliver(f.stamp(), m);
    }
  }

  // ---- faults (safety phase only) ------------------------------------------------------------

  private void injectFaults() {
    for (SimNetwork.Partition p : network.healDue(tick)) {
      trace.line(tick, "heal " + p.description());
    }
    restartDue();
    if (random.nextDouble() < shape.partitionRate()) {
      startPartition();
    }
    if (shape.reconfigRate() > 0 && random.nextDouble() < shape.reconfigRate()) {
      reconfigure();
    }
    if (random.nextDouble() < shape.crashRate()) {
      SimNode<A> n = nodes.get(random.nextInt(nodes.size()));
      double kind = random.nextDouble();
      if (!n.isUp()) {
        return;
      } else if (kind < shape.amnesiaShare() && impairable(n)) {
        amnesia++;
        loseState(n);
      } else if (kind < shape.amnesiaShare() + shape.lostForGoodShare()
          && impairable(n)) {
        lostForGoodCount++;
        lostForGood[n.id() - 1] = true;
        n.loseForGood();
      } else {
        n.crash("idle");
      }
    }
  }

  /**
   * R16: a damaged disk, as any subset of the four losses a store can report, or a wiped data
   * directory that reports nothing.
   */
  private void loseState(SimNode<A> n) {
    if (random.nextInt(5) == 0) {
      n.wipeAndCrash();
      return;
    }
    StateLoss[] kinds = StateLoss.values();
    Set<StateLoss> what = EnumSet.noneOf(StateLoss.class);
    while (what.isEmpty()) {
      for (StateLoss k : kinds) {
        if (random.nextInt(3) == 0) {
          what.add(k);
        }
      }
    }
    n.crashLosing(what);
  }

  /**
   * R21: asks a random live voter for one membership change, once the previous one took effect:
   * add a spare node that was never a member (it joins, catches up and is promoted) or a removed
   * one on a wiped disk, or remove a voter, while the voters stay at least three and a majority of
   * every configuration that is or may come into force stays unimpaired. A change whose future
   * failed may still be chosen later, so no other is asked for until it is.
   */
  private void reconfigure() {
    dev.modpaxos.protocol.ConfigOracle oracle = agreement.oracle();
    if (changeId != 0) {
      boolean done = changeIsAdd ? oracle.voters().contains(changeId) : !oracle.isMember(changeId);
      if (!done) {
        return;
      }
      changeId = 0;
    }
    List<SimNode<A>> voting = new ArrayList<>();
    for (SimNode<A> n : nodes) {
      if (n.isUp() && n.isVoting()) {
        voting.add(n);
      }
    }
    if (voting.isEmpty()) {
      return;
    }
    SimNode<A> at = voting.get(random.nextInt(voting.size()));
    List<Integer> candidates = new ArrayList<>();
    for (int id : members) {
      SimNode<A> n = nodes.get(id - 1);
      boolean fresh = id > shape.nodes() && !oracle.everMember(id);
      // A removed node whose acknowledged entries are all chosen may come back: its operator
      // wipes its disk, and it is added again under a newer generation.
      boolean back = oracle.everMember(id) && !oracle.isMember(id) && n.isUp()
          && n.localLog().isEmpty() && !inWindow(id); // its removal is in force (R21)
      if ((fresh || back) && !lostForGood[id - 1] && id != at.id()) {
        candidates.add(id);
      }
    }
    boolean add = !candidates.isEmpty() && (oracle.voters().size() <= 3 || random.nextBoolean());
    int id;
    if (add) {
      id = candidates.get(random.nextInt(candidates.size()));
    } else {
      List<Integer> voters = oracle.voters();
      if (voters.size() <= 3) {
        return;
      }
      id = voters.get(random.nextInt(voters.size()));
      if (nodes.get(id - 1).acceptorStateLost()) {
        return;
      }
    }
    changeId = id;
    changeIsAdd = add;
    if (!impairable(null)) {
      changeId = 0; // the configuration it leads to would start with too many impaired voters
      return;
    }
    if (add) {
      if (oracle.everMember(id)) {
        nodes.get(id - 1).wipeAndCrash(); // restarts later on its empty disk, as a joiner
        amnesia++;
      }
      at.addMember(id);
      trace.line(tick, "n" + at.id() + " addMember " + id);
    } else {
      at.removeMember(id);
      trace.line(tick, "n" + at.id() + " removeMember " + id);
    }
  }

  /** True if {@code id} votes in a configuration that governs a slot of the window. */
  private boolean inWindow(int id) {
    for (List<Integer> voters : agreement.oracle().votersInWindow()) {
      if (voters.contains(id)) {
        return true;
      }
    }
    return false;
  }

  /** The voters once the change asked for (if any) is chosen. */
  private Set<Integer> futureVoters() {
    Set<Integer> voters = new HashSet<>(agreement.oracle().voters());
    if (changeId != 0 && changeIsAdd) {
      voters.add(changeId);
    } else if (changeId != 0) {
      voters.remove(changeId);
    }
    return voters;
  }

  /**
   * Whether {@code n} (or, with {@code n} null, nobody more) may become impaired: in every
   * configuration that governs a slot of the window, and in the one every change asked for leads
   * to, the impaired voters stay a minority (R21: each of them decides some slot). Impaired: lost
   * state not yet re-admitted and in force, lost for good, or a learner being added.
   */
  private boolean impairable(SimNode<?> n) {
    List<java.util.Collection<Integer>> configs =
        new ArrayList<>(agreement.oracle().votersInWindow());
    configs.add(futureVoters());
    for (java.util.Collection<Integer> voters : configs) {
      int impaired = n != null && voters.contains(n.id()) ? 1 : 0;
      for (int v : voters) {
        SimNode<A> other = nodes.get(v - 1);
        if (other != n && (lostForGood[v - 1] || other.acceptorStateLost()
            || (changeIsAdd && v == changeId && !other.isVoting()))) {
          impaired++;
        }
      }
      if (impaired > (voters.size() - 1) / 2) {
        return false;
      }
    }
    return true;
  }

  private void restartDue() {
    for (SimNode<A> n : nodes) {
      if (!n.isUp() && !lostForGood[n.id() - 1] && restartAtTick[n.id() - 1] <= tick) {
        n.start(config(n.id()), founding.contains(n.id()));
      }
    }
  }

  /** A symmetric split into two sides, or a one-way cut from one side to the other. */
  private void startPartition() {
    Set<Integer> side = new HashSet<>();
    while (side.isEmpty() || side.size() == nodes.size()) {
      side.clear();
      for (int id : members) {
        if (random.nextBoolean()) {
          side.add(id);
        }
      }
    }
    boolean oneWay = random.nextInt(3) == 0;
    Set<Long> blocked = new HashSet<>();
    for (int a : side) {
      for (int b : members) {
        if (!side.contains(b)) {
          blocked.add(SimNetwork.link(a, b));
          if (!oneWay) {
            blocked.add(SimNetwork.link(b, a));
          }
        }
      }
    }
    long heal = tick + PARTITION_TICKS_MIN + random.nextInt(PARTITION_TICKS_SPREAD);
    String description =
        "partition#" + ++partitions + (oneWay ? " one-way from " : " symmetric ")
            + new TreeSet<>(side) + " until t=" + heal;
    network.partition(new SimNetwork.Partition(blocked, heal, description));
    trace.line(tick, description);
  }

  private void startLivenessPhase() {
    faultsOn = false;
    network.healAll();
    trace.line(tick, "liveness phase: healed, loss off, every node up");
    for (SimNode<A> n : nodes) {
      if (!n.isUp() && !lostForGood[n.id() - 1]) {
        n.start(config(n.id()), founding.contains(n.id()));
      }
    }
  }

  // ---- SimNode.Env ----------------------------------------------------------------------------

  @Override
  public long now() {
    return tick;
  }

  @Override
  public int nextInt(int bound) {
    return random.nextInt(bound);
  }

  @Override
  public boolean mayImpair(SimNode<?> node) {
    return impairable(node);
  }

  @Override
  public SimNode.CrashPoint crashPoint() {
    if (!faultsOn || random.nextDouble() >= shape.readyCrashRate()) {
      return null;
    }
    SimNode.CrashPoint[] points = SimNode.CrashPoint.values();
    return points[random.nextInt(points.length)];
  }

  @Override
  public void send(Stamp stamp, Message m) {
    if (m instanceof Message.Prepare) {
      prepareMessages++;
    }
    network.send(stamp, m, tick);
  }

  @Override
  public void crashed(SimNode<?> node, String where) {
    crashes++;
    restartAtTick[node.id() - 1] = tick + DOWN_TICKS_MIN + random.nextInt(DOWN_TICKS_SPREAD);
    trace.line(tick, "n" + node.id() + " crash " + where);
  }

  @Override
  public void roundEvent(int node, RoundEvent event) {
    if (event.kind() == RoundEvent.Kind.PREPARE_STARTED) {
      prepareRounds++;
    }
  }

  @Override
  public Checker<A> checker() {
    return checkers;
  }

  @Override
  public long snapshotEverySlots() {
    return shape.snapshotEverySlots();
  }

  @Override
  public long compactionTailSlots() {
    return shape.compactionTailSlots();
  }

  @Override
  public Violations violations() {
    return violations;
  }

  @Override
  public SimTrace trace() {
    return trace;
  }
}
