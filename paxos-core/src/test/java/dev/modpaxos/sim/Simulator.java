package dev.modpaxos.sim;

import dev.modpaxos.spi.Application;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The seeded simulator as a test-kit for your own {@link Application}. It runs real {@code
 * PaxosNode}s, each with a fresh application from your factory per incarnation, on one thread
 * with a virtual clock, under the faults SimulationTest uses: message loss, duplication, delay and
 * reordering, partitions, crashes part-way through a batch (the in-memory store keeps any subset
 * of its unsynced writes), damaged or wiped disks, nodes lost for good, slow clocks. One seed
 * decides everything, and the same seed gives the same run.
 *
 * <p>You give it what to submit ({@link #submits}), your own checks of application state ({@link
 * #checks}, after every applied slot on every replica) and optionally a digest replicas must agree
 * on after each slot ({@link #digest}) and what a read asks ({@link #reads}). It checks the
 * protocol's properties too (agreement, durability, integrity, liveness of every acknowledged
 * entry), and starts linearizable reads ({@code PaxosNode.read}, R19) on random nodes at a rate
 * the seed draws: a read that succeeds must have seen every slot applied anywhere before it was
 * called ({@link SimReport#staleReads()}); a read may fail. {@link #run()} prints each
 * failing seed with its first violations and how to replay it, then the totals line, and throws
 * {@link AssertionError} if any seed failed. {@code -Dsim.seed=S} replays seed S alone and prints
 * its whole trace; {@code -Dsim.firstSeed=F} starts the seeds at F.
 *
 * <pre>{@code
 * Simulator.of(Counter::new)                                  // a fresh Counter per incarnation
 *     .submits((node, random) -> Counter.add(1 + random.nextInt(9)))
 *     .checks((node, slot, counter) -> {
 *       if (counter.total() < 0) throw new AssertionError("negative total " + counter.total());
 *     })
 *     .digest(Counter::total)                                 // equal on every replica per slot
 *     .reads(Counter::total)                                  // what a read asks
 *     .seeds(200)
 *     .run();
 * }</pre>
 *
 * <p>Payloads: the kit appends an 8-byte nonce to each one on the way in and removes it before
 * your application or workload sees it, so equal payloads stay distinct entries. Your application
 * is applied on the simulation's thread, and must be deterministic (docs/PROTOCOL.md R9), or
 * {@link #digest} catches it. Not thread-safe; one {@code run()} at a time.
 *
 * @param <A> your application
 */
public final class Simulator<A extends Application> {
  /** Seeds {@link #run()} runs unless {@link #seeds} says otherwise. */
  public static final int SEEDS_DEFAULT = 100;

  /**
   * Ticks the liveness phase may take until every acknowledged entry is chosen: twice the bank
   * model's 5,000, since a user's workload may submit on every tick of the safety phase and a
   * seed may draw one-entry blocks and on-demand rounds (one full round per entry).
   */
  public static final int LIVENESS_TICKS_MAX = 10_000;

  /** What a node submits now. */
  @FunctionalInterface
  public interface Submits<A extends Application> {
    /**
     * The payload {@code node} submits now, or null for none this time. Called when the seed
     * picks a voting node to submit. Draw every choice from {@code random}, never from elsewhere,
     * or a seed no longer replays the same run.
     */
    byte[] next(SimNodeView<A> node, SplittableRandom random);
  }

  /** A check of one replica's application state. */
  @FunctionalInterface
  public interface StateCheck<A> {
    /**
     * Called on every replica right after it applied {@code slot} (also when a restart replays
     * it). Throw ({@link AssertionError}, or any runtime exception) to report a violation; the
     * run goes on and the seed fails.
     */
    void check(int node, long slot, A application);
  }

  private final Supplier<? extends A> applications;
  private Submits<A> submits;
  private final List<StateCheck<? super A>> checks = new ArrayList<>();
  private Function<? super A, ?> digest;
  private Function<? super A, ?> readQuery;
  private int seeds = SEEDS_DEFAULT;
  private Consumer<String> out = System.out::println;

  private Simulator(Supplier<? extends A> applications) {
    this.applications = applications;
  }

  /** A simulator of the application that {@code applications} makes (one per incarnation). */
  public static <A extends Application> Simulator<A> of(Supplier<? extends A> applications) {
    return new Simulator<>(Objects.requireNonNull(applications, "applications"));
  }

  /** What the workload submits; required. */
  public Simulator<A> submits(Submits<A> v) {
    submits = Objects.requireNonNull(v, "submits");
    return this;
  }

  /** Adds a check of application state; may be called more than once. */
  public Simulator<A> checks(StateCheck<? super A> v) {
    checks.add(Objects.requireNonNull(v, "checks"));
    return this;
  }

  /**
   * A digest of the application state (any value with {@code equals} and {@code toString}):
   * every replica that applied slot s must hold an equal digest right after it.
   */
  public Simulator<A> digest(Function<? super A, ?> v) {
    digest = Objects.requireNonNull(v, "digest");
    return this;
  }

  /**
   * What each simulated read asks the application, on the node's event loop once the read may be
   * served; it must not change the state. Optional: without it, reads only note the slot. A
   * query that throws is a violation.
   */
  public Simulator<A> reads(Function<? super A, ?> v) {
    readQuery = Objects.requireNonNull(v, "reads");
    return this;
  }

  /** How many seeds {@link #run()} runs (from 1, or {@code -Dsim.firstSeed}); default 100. */
  public Simulator<A> seeds(int v) {
    if (v < 1) {
      throw new IllegalArgumentException("seeds must be >= 1, got " + v);
    }
    seeds = v;
    return this;
  }

  /** Where the failing seeds, a replay's trace and the totals line go; default System.out. */
  public Simulator<A> output(Consumer<String> v) {
    out = Objects.requireNonNull(v, "output");
    return this;
  }

  /**
   * Runs the seeds (or replays {@code -Dsim.seed=S}), prints the failing seeds and the totals
   * line, and returns the report. Throws {@link AssertionError} naming the failing seeds if any
   * violation was found, and {@link IllegalStateException} if {@link #submits} was not given.
   */
  public SimReport run() {
    if (submits == null) {
      throw new IllegalStateException("Simulator: call submits(...) before run()");
    }
    String hint = "mvn test -Dtest=" + callingTest() + " -Dsim.seed=";
    SimModel.Factory<A> model =
        (shape, members, violations) ->
            new KitModel<>(applications, submits, checks, digest, readQuery, violations);
    SimTotals totals =
        SimSeeds.runOrReplay(
            seeds,
            (seed, trace) ->
                Simulation.run(seed, s -> s.withLivenessTicksMax(LIVENESS_TICKS_MAX), ProtocolVariant.PAXOS,
                    model, trace),
            out,
            hint);
    SimReport report = new SimReport(totals);
    if (report.violations() > 0) {
      throw new AssertionError(
          report.violations() + " violations in seeds " + report.failedSeeds()
              + "; replay one with " + hint + "S");
    }
    return report;
  }

  /** The simple name of the nearest calling class outside this package and the test libraries. */
  private static String callingTest() {
    return StackWalker.getInstance()
        .walk(frames -> frames
            .map(StackWalker.StackFrame::getClassName)
            .filter(c -> !c.startsWith(Simulator.class.getPackageName() + ".")
                && !c.startsWith("org.assertj.") && !c.startsWith("org.junit.")
                && !c.startsWith("java.") && !c.startsWith("jdk.") && !c.startsWith("sun."))
            .findFirst())
        .map(c -> c.substring(c.lastIndexOf('.') + 1).replaceFirst("\\$.*", ""))
        .orElse("<YourTest>");
  }
}
