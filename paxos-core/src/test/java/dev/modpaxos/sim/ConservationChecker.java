package dev.modpaxos.sim;

import dev.modpaxos.protocol.SlotBlock;
import java.util.HashMap;
import java.util.Map;

/**
 * Conservation on the toy transfer application, on every replica's applied state: the total stays
 * {@link TransferApp#TOTAL}, no balance is ever negative, and every replica that applied slot s
 * holds the same balances after it.
 */
final class ConservationChecker implements Checker<TransferApp> {
  static final String NAME = "ConservationChecker";

  private final Violations violations;
  private final Map<Long, String> balancesAtSlot = new HashMap<>();

  ConservationChecker(Violations violations) {
    this.violations = violations;
  }

  @Override
  public void onApplied(int node, SlotBlock chosen, TransferApp app) {
    long slot = chosen.slot();
    if (app.total() != TransferApp.TOTAL) {
      violations.report(
          NAME, "node " + node + " total " + app.total() + " after slot " + slot);
    }
    for (int a = 0; a < TransferApp.ACCOUNTS; a++) {
      if (app.balance(a) < 0) {
        violations.report(
            NAME, "node " + node + " account " + a + " at " + app.balance(a) + " after slot "
                + slot);
      }
    }
    String balances = app.balancesText();
    String earlier = balancesAtSlot.putIfAbsent(slot, balances);
    if (earlier != null && !earlier.equals(balances)) {
      violations.report(
          NAME,
          "node " + node + " holds " + balances + " after slot " + slot + ", another replica "
              + earlier);
    }
  }
}
