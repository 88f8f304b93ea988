package dev.modpaxos.local;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.EntryId;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.protocol.SlotBlock;
import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.StoreException;
import dev.modpaxos.spi.StoredState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A {@link Store} in memory, for tests, the simulator and the embedded mode. Thread-safe
 * (synchronized). Survives a node restart within one JVM: {@link #close()} then {@link #load()}.
 *
 * <p>It models the durability contract exactly: writes are staged, {@link #sync()} makes them
 * durable, and {@link #crash(int)} throws away unsynced writes, as a real crash would.
 */
public final class InMemoryStore implements Store {
  private static final class State {
    Ballot promised = Ballot.ZERO;
    Proposal accepted;
    final List<Block> chosen = new ArrayList<>();
    final LinkedHashMap<EntryId, Entry> local = new LinkedHashMap<>();
    // Set by loseAcceptorState(); cleared by a synced savePromised (Store contract, R16).
    boolean acceptorStateLost;
  }

  private final State durable = new State();
  private final List<Consumer<State>> unsynced = new ArrayList<>();
  private long syncs;

  @Override
  public synchronized StoredState load() {
    unsynced.clear();
    return new StoredState(
        durable.promised,
        durable.accepted,
        durable.chosen,
        new ArrayList<>(durable.local.values()),
        durable.acceptorStateLost);
  }

  @Override
  public synchronized void savePromised(Ballot promised) {
    unsynced.add(
        s -> {
          s.promised = promised;
          s.acceptorStateLost = false;
        });
  }

  @Override
  public synchronized void saveAccepted(Proposal accepted) {
    unsynced.add(s -> s.accepted = accepted);
  }

  @Override
  public synchronized void saveChosen(SlotBlock chosen) {
    unsynced.add(
        s -> {
          if (chosen.slot() != s.chosen.size() + 1) {
            throw new StoreException(
                "chosen slot " + chosen.slot() + " out of order after " + s.chosen.size());
          }
          s.chosen.add(chosen.block());
        });
  }

  @Override
  public synchronized void appendLocal(Entry entry) {
    unsynced.add(s -> s.local.put(entry.id(), entry));
  }

  @Override
  public synchronized void removeLocal(Collection<EntryId> ids) {
    Set<EntryId> copy = Set.copyOf(ids);
    unsynced.add(s -> s.local.keySet().removeAll(copy));
  }

  @Override
  public synchronized void sync() {
    try {
      for (Consumer<State> w : unsynced) {
        w.accept(durable); // a rejected write throws; it and the writes after it are discarded
      }
    } finally {
      unsynced.clear();
    }
    syncs++;
  }

  /**
   * Simulates a crash: keeps the first {@code keep} unsynced writes (a torn prefix reached the
   * disk) and loses the rest. Returns how many writes were lost.
   */
  public synchronized int crash(int keep) {
    int lost = Math.max(0, unsynced.size() - Math.max(0, keep));
    for (int i = 0; i < Math.min(keep, unsynced.size()); i++) {
      unsynced.get(i).accept(durable);
    }
    unsynced.clear();
    return lost;
  }

  /**
   * Simulates a damaged disk: the durable promise and accepted value are wiped (and unsynced
   * writes dropped), and every later {@link #load()} reports {@code acceptorStateLost} until a
   * promise is saved and synced.
   */
  public synchronized void loseAcceptorState() {
    unsynced.clear();
    durable.promised = Ballot.ZERO;
    durable.accepted = null;
    durable.acceptorStateLost = true;
  }

  /** True from {@link #loseAcceptorState()} until a promise is saved and synced. */
  public synchronized boolean acceptorStateLost() {
    return durable.acceptorStateLost;
  }

  public synchronized int unsyncedWrites() {
    return unsynced.size();
  }

  public synchronized long syncs() {
    return syncs;
  }

  /** Chosen blocks that are durable. */
  public synchronized List<Block> durableChosen() {
    return List.copyOf(durable.chosen);
  }

  @Override
  public synchronized void close() {
    sync();
  }
}
