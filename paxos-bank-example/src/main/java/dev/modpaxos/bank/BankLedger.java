package dev.modpaxos.bank;

import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.spi.SnapshotApplication;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
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
 * One server's view of the bank, and the {@link dev.modpaxos.spi.Application} its node applies
 * chosen blocks to.
 * <b>Thread-safe</b> (one monitor): the node's loop applies blocks while the server debits.
 *
 * <p>The balance of client c here is {@code 100 + credits(c) - debits(c)} over the chosen blocks,
 * minus c's transfers this server executed that are not chosen yet. Only server c executes c's
 * transfers, so on c's own server that is c's true balance; elsewhere it may lag (credits still in
 * other servers' local logs, blocks not yet learned). A transfer applies at most once, by id, even
 * if two entries carry it.
 *
 * <p>Its snapshot (docs/PROTOCOL.md R20, {@code --compact-every}) is the state over the chosen
 * blocks: the balances, the applied counts and every applied transfer id, so that a compacted
 * history still applies each id once. It is copied on the loop (five balances and the ids, small)
 * and written off it, ids in ascending order, so every server writes the same bytes for a slot.
 * The executed-but-unchosen debits are not in it: they live in the local log.
 */
public final class BankLedger implements SnapshotApplication {
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
  // The chosen state of the newest snapshots taken or restored, oldest first (at most a few).
  private final LinkedHashMap<Long, SnapshotSummary> snapshots = new LinkedHashMap<>();
  private static final int SNAPSHOTS_KEPT = 4;
  // The snapshot format: "BKS" and a version.
  private static final int SNAPSHOT_MAGIC = 0x424b5301;

  /** What a snapshot of slot {@code slot} holds, for PrintDB: balances over the chosen blocks. */
  public record SnapshotSummary(long slot, Map<String, Long> balances, long transfers) {}

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

  @Override
  public synchronized SnapshotWriter snapshot(long slot) {
    if (slot != appliedSlot) {
      throw new IllegalStateException("snapshot of slot " + slot + " asked at " + appliedSlot);
    }
    long[] balances = chosen.clone();
    long[] from = appliedFrom.clone();
    long transfers = appliedTransfers;
    long[] ids = new long[appliedIds.size()];
    int i = 0;
    for (long id : appliedIds) {
      ids[i++] = id;
    }
    remember(slot, balances, transfers);
    return out -> {
      Arrays.sort(ids);
      DataOutputStream data = new DataOutputStream(out);
      data.writeInt(SNAPSHOT_MAGIC);
      data.writeInt(Servers.COUNT);
      for (int c = 1; c <= Servers.COUNT; c++) {
        data.writeLong(balances[c]);
        data.writeLong(from[c]);
      }
      data.writeLong(transfers);
      data.writeInt(ids.length);
      for (long id : ids) {
        data.writeLong(id);
      }
      data.flush();
    };
  }

  @Override
  public synchronized void restore(long slot, InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    if (data.readInt() != SNAPSHOT_MAGIC || data.readInt() != Servers.COUNT) {
      throw new IOException("slot " + slot + ": not a bank snapshot of " + Servers.COUNT
          + " servers");
    }
    long[] balances = new long[Servers.COUNT + 1];
    long[] from = new long[Servers.COUNT + 1];
    for (int c = 1; c <= Servers.COUNT; c++) {
      balances[c] = data.readLong();
      from[c] = data.readLong();
    }
    long transfers = data.readLong();
    int n = data.readInt();
    if (n < 0) {
      throw new IOException("slot " + slot + ": bad snapshot (" + n + " ids)");
    }
    Set<Long> ids = new HashSet<>();
    for (int i = 0; i < n; i++) {
      ids.add(data.readLong());
    }
    System.arraycopy(balances, 0, chosen, 0, balances.length);
    System.arraycopy(from, 0, appliedFrom, 0, from.length);
    appliedTransfers = transfers;
    appliedIds.clear();
    appliedIds.addAll(ids);
    executed.keySet().removeIf(appliedIds::contains);
    reserved.keySet().removeIf(appliedIds::contains);
    appliedSlot = slot;
    remember(slot, balances, transfers);
    notifyAll();
  }

  private void remember(long slot, long[] balances, long transfers) {
    Map<String, Long> m = new TreeMap<>();
    for (int c = 1; c <= Servers.COUNT; c++) {
      m.put(Servers.name(c), balances[c]);
    }
    snapshots.remove(slot);
    snapshots.put(slot,
        new SnapshotSummary(slot, java.util.Collections.unmodifiableMap(m), transfers));
    while (snapshots.size() > SNAPSHOTS_KEPT) {
      snapshots.remove(snapshots.keySet().iterator().next());
    }
  }

  /** The summary of the snapshot of {@code slot}, if this ledger took or restored it lately. */
  public synchronized SnapshotSummary snapshotSummary(long slot) {
    return snapshots.get(slot);
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
