package dev.modpaxos.bank;

import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.spi.Application;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server's view of the bank, and the {@link Application} its node applies chosen blocks to.
 * <b>Thread-safe</b> (one monitor): the node's loop applies blocks while the server debits.
 *
 * <p>The balance of client c here is {@code 100 + credits(c) - debits(c)} over the chosen blocks,
 * minus c's transfers this server executed that are not chosen yet. Only server c executes c's
 * transfers, so on c's own server that is c's true balance; elsewhere it may lag (credits still in
 * other servers' local logs, blocks not yet learned). A transfer applies at most once, by id, even
 * if two entries carry it.
 */
public final class BankLedger implements Application {
  private static final Logger log = LoggerFactory.getLogger(BankLedger.class);

  private final int self;
  // Balances over the chosen blocks applied so far, index = client id.
  private final long[] chosen = new long[Servers.COUNT + 1];
  // Ids of the transfers in applied blocks.
  private final Set<Long> appliedIds = new HashSet<>();
  // This server's transfers executed (durable in its local log) but not chosen, in order.
  private final LinkedHashMap<Long, Transfer> executed = new LinkedHashMap<>();
  // A debit being made durable: counts against funds, shown nowhere (it may yet be lost).
  private final LinkedHashMap<Long, Transfer> reserved = new LinkedHashMap<>();
  // Invariant: appliedSlot == number of blocks applied; slots arrive 1, 2, 3, ...
  private long appliedSlot;
  private long appliedTransfers;
  // Applied transfers by sender, index = client id.
  private final long[] appliedFrom = new long[Servers.COUNT + 1];

  public BankLedger(int self) {
    Servers.requireValid(self);
    this.self = self;
    for (int c = 1; c <= Servers.COUNT; c++) {
      chosen[c] = Servers.INITIAL_BALANCE;
    }
  }

  @Override
  public synchronized void apply(long slot, Block block) {
    if (slot != appliedSlot + 1) {
      throw new IllegalStateException("slot " + slot + " applied after " + appliedSlot);
    }
    for (Entry e : block.entries()) {
      Transfer t;
      try {
        t = TransferCodec.decode(e.payload());
      } catch (IllegalArgumentException ex) {
        log.warn("{}: slot {} entry {} skipped: {}", Servers.name(self), slot, e.id(), ex.getMessage());
        continue;
      }
      executed.remove(t.id());
      reserved.remove(t.id());
      if (!appliedIds.add(t.id())) {
        continue; // the same transfer chosen twice (re-sent): it moves money once
      }
      chosen[t.from()] -= t.amount();
      chosen[t.to()] += t.amount();
      appliedTransfers++;
      appliedFrom[t.from()]++;
    }
    appliedSlot = slot;
    notifyAll();
  }

  /**
   * Re-registers transfers found in the local log after a restart; ones already chosen are
   * skipped.
   */
  public synchronized void restoreExecuted(List<Transfer> localLog) {
    for (Transfer t : localLog) {
      if (!appliedIds.contains(t.id())) {
        executed.put(t.id(), t);
      }
    }
  }

  /** True if the transfer is executed here (chosen, executed or being made durable). */
  public synchronized boolean isKnown(long id) {
    return appliedIds.contains(id) || executed.containsKey(id) || reserved.containsKey(id);
  }

  /** True if the transfer with this id is in an applied block or in this server's local log. */
  public synchronized boolean isExecuted(long id) {
    return appliedIds.contains(id) || executed.containsKey(id);
  }

  /**
   * Reserves the debit of {@code t} if its sender can fund it here. The caller then makes it
   * durable and calls {@link #confirm} or, if that failed, {@link #release}.
   */
  public synchronized boolean tryReserve(Transfer t) {
    if (t.from() != self) {
      throw new IllegalArgumentException(t + " belongs to " + Servers.name(t.from()));
    }
    if (fundsFor(self) < t.amount()) {
      return false;
    }
    reserved.put(t.id(), t);
    return true;
  }

  /** The reserved debit is durable in the local log. */
  public synchronized void confirm(long id) {
    Transfer t = reserved.remove(id);
    if (t != null && !appliedIds.contains(id)) {
      executed.put(id, t);
    }
  }

  /** The reserved debit could not be made durable; the money is free again. */
  public synchronized void release(long id) {
    reserved.remove(id);
  }

  /** Client c's balance as this server sees it (durable state only). */
  public synchronized long balance(int client) {
    long b = chosen[client];
    for (Transfer t : executed.values()) {
      if (t.from() == client) {
        b -= t.amount();
      }
    }
    return b;
  }

  private long fundsFor(int client) {
    long b = balance(client);
    for (Transfer t : reserved.values()) {
      b -= t.amount();
    }
    return b;
  }

  /** This server's view of every client, "S1" -> balance. */
  public synchronized Map<String, Long> balances() {
    Map<String, Long> m = new TreeMap<>();
    for (int c = 1; c <= Servers.COUNT; c++) {
      m.put(Servers.name(c), balance(c));
    }
    return m;
  }

  /** This server's executed transfers not yet chosen, in execution order. */
  public synchronized List<Transfer> executedNotChosen() {
    return new ArrayList<>(executed.values());
  }

  public synchronized long appliedSlot() {
    return appliedSlot;
  }

  /** Transfers applied from chosen blocks (each counted once). */
  public synchronized long appliedTransfers() {
    return appliedTransfers;
  }

  /** Transfers of client {@code client} applied from chosen blocks. */
  public synchronized long appliedFrom(int client) {
    return appliedFrom[client];
  }

  /** Waits until slot {@code slot} is applied; false on timeout. */
  public synchronized boolean awaitApplied(long slot, long timeoutMillis)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (appliedSlot < slot) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        return false;
      }
      wait(left);
    }
    return true;
  }
}
