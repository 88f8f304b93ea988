package dev.modpaxos.sim;

import dev.modpaxos.spi.Application;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * What one simulated run puts on its nodes: the application each incarnation starts with, what
 * the workload submits, and the checkers of application state beside the protocol's. {@link
 * TransferModel} is the toy bank of {@link SimulationTest}; {@link Simulator} builds one from a
 * user's application. One instance per run, made by a {@link Factory}; not thread-safe.
 *
 * @param <A> the application
 */
interface SimModel<A extends Application> {

  /** Makes the model of one run. */
  @FunctionalInterface
  interface Factory<A extends Application> {
    SimModel<A> create(SimShape shape, List<Integer> members, Violations violations);
  }

  /** A fresh application, for a new incarnation of a node (it replays the chosen blocks). */
  A newApplication();

  /** What the node's {@code PaxosNode} is given to apply: {@code app} itself, or a wrapper. */
  default Application nodeApplication(A app) {
    return app;
  }

  /**
   * The payload {@code node} submits now, or null for none. Draws only from {@code random}, the
   * run's one stream, so the seed decides it.
   */
  byte[] nextPayload(SimNode<A> node, SplittableRandom random);

  /** What a read asks the application (R19), or null to read the applied slot only. */
  default Function<? super A, ?> readQuery() {
    return null;
  }

  /** Checkers of application state, run after the protocol's. */
  List<Checker<? super A>> stateCheckers();
}
