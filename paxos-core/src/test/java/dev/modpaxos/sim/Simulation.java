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
  private final List<Integer> members = new ArrayList<>();
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
    this.restartAtTick = new long[shape.nodes()];
    this.tickRate = new double[shape.nodes()];
    this.lostForGood = new boolean[shape.nodes()];
    for (int i = 0; i < shape.nodes(); i++) {
      members.add(i + 1);
    }
    SimModel<A> model = modelFactory.create(shape, Collections.unmodifiableList(members),
        violations);
    List<SimNode<A>> all = new ArrayList<>();
    for (int i = 0; i < shape.nodes(); i++) {
      all.add(new SimNode<>(i + 1, variant, model, this));
      tickRate[i] = shape.tickRateMin() >= 1.0 ? 1.0 : random.nextDouble(shape.tickRateMin(), 1.0);
    }
    this.nodes = List.copyOf(all);
    this.agreement = new AgreementChecker(violations, shape.nodes() / 2 + 1);
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
      n.start(config(n.id()), true);
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
        trace.hash());
  }

  private ReplicaConfig config(int id) {
    return ReplicaConfig.builder(id, members)
        .trigger(shape.trigger())
        .seed(random.nextLong())
        .blockEntriesMax(shape.blockEntriesMax())
        .catchUpBlocksMax(shape.catchUpBlocksMax())
        .pipelineSlots(shape.pipelineSlots())
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
    if (random.nextDouble() < shape.crashRate()) {
      SimNode<A> n = nodes.get(random.nextInt(nodes.size()));
      double kind = random.nextDouble();
      if (!n.isUp()) {
        return;
      } else if (kind < shape.amnesiaShare() && impairedWith(n) <= minority()) {
        amnesia++;
        loseState(n);
      } else if (kind < shape.amnesiaShare() + shape.lostForGoodShare()
          && impairedWith(n) <= minority()) {
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

  private int minority() {
    return (nodes.size() - 1) / 2;
  }

  /**
   * Nodes that cannot vote now or will not return (lost state not yet re-admitted, or lost for
   * good), counting {@code n} as one more. Paxos needs a majority that remembers: the simulation
   * keeps this within a minority, so a majority of voters can always re-admit the others.
   */
  private int impairedWith(SimNode<?> n) {
    int impaired = 1;
    for (SimNode<A> other : nodes) {
      if (other != n && (lostForGood[other.id() - 1] || other.acceptorStateLost())) {
        impaired++;
      }
    }
    return impaired;
  }

  private void restartDue() {
    for (SimNode<A> n : nodes) {
      if (!n.isUp() && !lostForGood[n.id() - 1] && restartAtTick[n.id() - 1] <= tick) {
        n.start(config(n.id()), true);
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
        n.start(config(n.id()), true);
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
    return impairedWith(node) <= minority();
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
