package dev.modpaxos.sim;

import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.RoundTrigger;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The simulated clients. Account {@code a} belongs to node {@code members[a % N]}; only its owner
 * debits it, and only when its local view covers the amount, as the bank does: the balance from
 * the chosen blocks it applied, minus the debits still in its own local log. Credits in the local
 * log are not counted, so the view never overstates what the chosen sequence will hold. In
 * ON_DEMAND shapes it also calls {@code runRound()}, at random in the safety phase and
 * periodically in the liveness phase, so that pending entries get chosen.
 */
final class Workload {
  private final SplittableRandom random;
  private final SimShape shape;
  private final List<Integer> members;
  private long nextNonce;

  Workload(SplittableRandom random, SimShape shape, List<Integer> members) {
    this.random = random;
    this.shape = shape;
    this.members = members;
  }

  void safetyTick(SimNode[] nodes) {
    if (random.nextDouble() < shape.submitRate()) {
      int id =
          shape.submitterOnly() != 0 ? shape.submitterOnly() : 1 + random.nextInt(nodes.length);
      SimNode n = nodes[id - 1];
      if (n.isVoting()) {
        submitTransfer(n);
      }
    }
    if (shape.trigger() == RoundTrigger.ON_DEMAND && random.nextDouble() < shape.roundRate()) {
      nodes[random.nextInt(nodes.length)].runRound();
    }
  }

  /**
   * ON_DEMAND only: every interval, unless a round is still open somewhere, a node with pending
   * entries runs a round; as the bank does when a sender is short.
   */
  void livenessTick(SimNode[] nodes, long livenessTick) {
    if (shape.trigger() != RoundTrigger.ON_DEMAND
        || livenessTick % shape.livenessRoundIntervalTicks() != 0) {
      return;
    }
    for (SimNode n : nodes) {
      if (n.isUp() && n.hasOpenRound()) {
        return;
      }
    }
    int first = random.nextInt(nodes.length);
    for (int i = 0; i < nodes.length; i++) {
      SimNode n = nodes[(first + i) % nodes.length];
      if (n.isVoting() && !n.localLog().isEmpty()) {
        n.runRound();
        return;
      }
    }
  }

  private void submitTransfer(SimNode n) {
    List<Integer> owned = new ArrayList<>();
    for (int a = 0; a < TransferApp.ACCOUNTS; a++) {
      if (members.get(a % members.size()) == n.id()) {
        owned.add(a);
      }
    }
    if (owned.isEmpty()) {
      return;
    }
    int from = owned.get(random.nextInt(owned.size()));
    long view = localView(n, from);
    if (view <= 0) {
      return;
    }
    int to = (from + 1 + random.nextInt(TransferApp.ACCOUNTS - 1)) % TransferApp.ACCOUNTS;
    long amount = 1 + random.nextLong(Math.min(view, shape.amountMax()));
    byte[] payload = new Transfer(from, to, amount, ++nextNonce).encode();
    n.submit(payload);
  }

  /** The owner's view of {@code account}: applied balance minus pending local debits. */
  private static long localView(SimNode n, int account) {
    long view = n.app().balance(account);
    for (Entry e : n.localLog()) {
      Transfer t = Transfer.decode(e.payload());
      if (t.from() == account) {
        view -= t.amount();
      }
    }
    return view;
  }
}
