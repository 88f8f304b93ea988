package dev.modpaxos.bank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class BankLedgerTest {
  private static Entry entry(int origin, long seq, Transfer t) {
    return new Entry(origin, seq, TransferCodec.encode(t));
  }

  private static byte[] bytes(BankLedger.SnapshotWriter w) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    w.writeTo(out);
    return out.toByteArray();
  }

  @Test
  void aSnapshotIsTheStateAsOfItsSlotSameBytesEverywhereAndKeepsTheAppliedIds() throws Exception {
    BankLedger s1 = new BankLedger(1);
    BankLedger s4 = new BankLedger(4);
    Transfer a = new Transfer(9, 1, 2, 40);
    Transfer b = new Transfer(3, 2, 3, 25);
    for (BankLedger l : List.of(s1, s4)) {
      l.apply(1, new Block(List.of(entry(1, 1, a))));
    }
    s1.apply(2, new Block(List.of(entry(2, 1, b))));
    s4.apply(2, new Block(List.of(entry(2, 1, b))));
    BankLedger.SnapshotWriter w1 = s1.snapshot(2);
    s1.apply(3, new Block(List.of(entry(1, 2, new Transfer(10, 1, 5, 1))))); // after the capture
    byte[] image = bytes(w1);
    assertThat(image).as("deterministic: the same bytes on every server")
        .isEqualTo(bytes(s4.snapshot(2)));

    BankLedger fresh = new BankLedger(3);
    fresh.restore(2, new ByteArrayInputStream(image));
    assertThat(fresh.appliedSlot()).isEqualTo(2);
    assertThat(fresh.balances()).containsEntry("S1", 60L).containsEntry("S2", 115L)
        .containsEntry("S3", 125L);
    assertThat(fresh.appliedTransfers()).isEqualTo(2);
    assertThat(fresh.appliedFrom(1)).isEqualTo(1);
    assertThat(fresh.snapshotSummary(2).balances()).containsEntry("S1", 60L);
    fresh.apply(3, new Block(List.of(entry(1, 9, a)))); // a re-send of a compacted transfer
    assertThat(fresh.balances()).as("applied once, across the snapshot").containsEntry("S1", 60L);
    assertThatThrownBy(() -> new BankLedger(1).restore(1, new ByteArrayInputStream(new byte[8])))
        .hasMessageContaining("not a bank snapshot");
  }

  @Test
  void aTransferChosenTwiceMovesMoneyOnce() {
    BankLedger l = new BankLedger(2);
    Transfer t = new Transfer(7, 1, 2, 40);
    l.apply(1, new Block(List.of(entry(1, 1, t))));
    l.apply(2, new Block(List.of(entry(1, 2, t)))); // re-sent under another entry id
    assertThat(l.balances()).containsEntry("S1", 60L).containsEntry("S2", 140L);
    assertThat(l.appliedTransfers()).isEqualTo(1);
  }

  @Test
  void debitsAreReservedOnlyWhenFundedAndCountOnceConfirmed() {
    BankLedger l = new BankLedger(1);
    Transfer a = new Transfer(1, 1, 2, 70);
    Transfer b = new Transfer(2, 1, 3, 40);
    assertThat(l.tryReserve(a)).isTrue();
    assertThat(l.balance(1)).as("a reserved debit is not shown yet").isEqualTo(100);
    assertThat(l.tryReserve(b)).as("but it counts against funds").isFalse();
    l.confirm(1);
    assertThat(l.balance(1)).isEqualTo(30);
    assertThat(l.executedNotChosen()).containsExactly(a);
    l.apply(1, new Block(List.of(entry(1, 1, a))));
    assertThat(l.executedNotChosen()).isEmpty();
    assertThat(l.balance(1)).isEqualTo(30);
  }

  @Test
  void aReleasedReservationFreesTheMoney() {
    BankLedger l = new BankLedger(1);
    assertThat(l.tryReserve(new Transfer(1, 1, 2, 100))).isTrue();
    l.release(1);
    assertThat(l.isKnown(1)).isFalse();
    assertThat(l.tryReserve(new Transfer(2, 1, 2, 100))).isTrue();
  }

  @Test
  void foreignEntriesAreSkippedAndSlotsMustComeInOrder() {
    BankLedger l = new BankLedger(1);
    l.apply(1, new Block(List.of(new Entry(3, 1, new byte[] {9, 9}))));
    assertThat(l.appliedSlot()).isEqualTo(1);
    assertThat(l.balances().values()).containsOnly(100L);
    assertThatThrownBy(() -> l.apply(3, Block.EMPTY)).hasMessageContaining("slot 3 applied after 1");
    assertThatThrownBy(() -> l.tryReserve(new Transfer(5, 2, 1, 1))).hasMessageContaining("S2");
  }

  @Test
  void restoredLocalLogSkipsWhatIsAlreadyChosen() {
    BankLedger l = new BankLedger(1);
    Transfer a = new Transfer(1, 1, 2, 10);
    Transfer b = new Transfer(2, 1, 2, 20);
    l.apply(1, new Block(List.of(entry(1, 1, a))));
    l.restoreExecuted(List.of(a, b));
    assertThat(l.executedNotChosen()).containsExactly(b);
    assertThat(l.balance(1)).isEqualTo(70);
  }
}
