package dev.modpaxos.sim;

import dev.modpaxos.protocol.RoundTrigger;
import dev.modpaxos.spi.Application;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The simulated clients. Each safety tick, with the shape's submit rate, one node (at random, or
 * the shape's only submitter) submits what its {@link SimModel} draws, if it votes; with the
 * shape's read rate a random live node starts a linearizable read (R19). Neither happens in the
 * liveness phase, which only has to choose what was acknowledged. In ON_DEMAND
 * shapes it also calls {@code runRound()}, at random in the safety phase and periodically in the
 * liveness phase, so that pending entries get chosen.
 */
final class Workload<A extends Application> {
  private final SplittableRandom random;
  private final SimShape shape;
  private final SimModel<A> model;

  Workload(SplittableRandom random, SimShape shape, SimModel<A> model) {
    this.random = random;
    this.shape = shape;
    this.model = model;
  }

  void safetyTick(List<SimNode<A>> nodes) {
    if (random.nextDouble() < shape.submitRate()) {
      int id =
          shape.submitterOnly() != 0 ? shape.submitterOnly() : 1 + random.nextInt(nodes.size());
      SimNode<A> n = nodes.get(id - 1);
      if (n.isVoting()) {
        byte[] payload = model.nextPayload(n, random);
        if (payload != null) {
          n.submit(payload);
        }
      }
    }
    if (shape.trigger() == RoundTrigger.ON_DEMAND && random.nextDouble() < shape.roundRate()) {
      nodes.get(random.nextInt(nodes.size())).runRound();
    }
    maybeRead(nodes);
  }

  private void maybeRead(List<SimNode<A>> nodes) {
    if (shape.readRate() > 0 && random.nextDouble() < shape.readRate()) {
      nodes.get(random.nextInt(nodes.size())).read(model.readQuery());
    }
  }

  /**
   * ON_DEMAND only: every interval, unless a round is still open somewhere, a node with pending
   * entries runs a round; as the bank does when a sender is short.
   */
  void livenessTick(List<SimNode<A>> nodes, long livenessTick) {
    if (shape.trigger() != RoundTrigger.ON_DEMAND
        || livenessTick % shape.livenessRoundIntervalTicks() != 0) {
      return;
    }
    for (SimNode<A> n : nodes) {
      if (n.isUp() && n.hasOpenRound()) {
        return;
      }
    }
    int first = random.nextInt(nodes.size());
    for (int i = 0; i < nodes.size(); i++) {
      SimNode<A> n = nodes.get((first + i) % nodes.size());
      if (n.isVoting() && !n.localLog().isEmpty()) {
        n.runRound();
        return;
      }
    }
  }
}
