package dev.modpaxos.sim;

import dev.modpaxos.protocol.Entry;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The toy bank that {@link SimulationTest} runs: {@link TransferApp} on every node, checked by
 * {@link ConservationChecker}. Account {@code a} belongs to node {@code members[a % N]}; only its
 * owner debits it, and only when its local view covers the amount, as the bank does: the balance
 * from the chosen blocks it applied, minus the debits still in its own local log. Credits in the
 * local log are not counted, so the view never overstates what the chosen sequence will hold.
 */
final class TransferModel implements SimModel<TransferApp> {
  private final SimShape shape;
  private final List<Integer> members;
  private final ConservationChecker conservation;
  // R20: replicas hold equal balances at equal slots, also right after a snapshot restore.
  private final DigestChecker<TransferApp> digests;
  private long nextNonce;

  TransferModel(SimShape shape, List<Integer> members, Violations violations) {
    this.shape = shape;
    this.members = members;
    this.conservation = new ConservationChecker(violations);
    this.digests = new DigestChecker<>(TransferApp::balancesText, violations);
  }

  @Override
  public TransferApp newApplication() {
    return new TransferApp();
  }

  @Override
  public List<Checker<? super TransferApp>> stateCheckers() {
    return List.of(conservation, digests);
  }

  @Override
  public byte[] nextPayload(SimNode<TransferApp> n, SplittableRandom random) {
    List<Integer> owned = new ArrayList<>();
    for (int a = 0; a < TransferApp.ACCOUNTS; a++) {
      if (members.get(a % members.size()) == n.id()) {
        owned.add(a);
      }
    }
    if (owned.isEmpty()) {
      return null;
    }
    int from = owned.get(random.nextInt(owned.size()));
    long view = localView(n, from);
    if (view <= 0) {
      return null;
    }
    int to = (from + 1 + random.nextInt(TransferApp.ACCOUNTS - 1)) % TransferApp.ACCOUNTS;
    long amount = 1 + random.nextLong(Math.min(view, shape.amountMax()));
    return new Transfer(from, to, amount, ++nextNonce).encode();
  }

  /** The owner's view of {@code account}: applied balance minus pending local debits. */
  private static long localView(SimNode<TransferApp> n, int account) {
    long view = n.application().balance(account);
    for (Entry e : n.localLog()) {
      Transfer t = Transfer.decode(e.payload());
      if (t.from() == account) {
        view -= t.amount();
      }
    }
    return view;
  }
}
