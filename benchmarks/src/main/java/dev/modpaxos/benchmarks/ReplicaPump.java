package dev.modpaxos.benchmarks;

import dev.modpaxos.local.InMemoryStore;
import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.EntryId;
import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.protocol.Ready;
import dev.modpaxos.protocol.Replica;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.protocol.RoundTrigger;
import dev.modpaxos.protocol.SlotBlock;
import dev.modpaxos.runtime.ReadyExecutor;
import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.StoreIdentity;
import dev.modpaxos.spi.StoredState;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * N in-memory {@link Replica}s driven on one thread by a tiny deterministic message pump: drain
 * each replica's {@link Replica#ready()} and carry it out with the runtime's own {@link
 * ReadyExecutor} (store writes to nothing, or to an {@link InMemoryStore}; messages onto one FIFO
 * wire), then deliver every message to its addressee's {@link Replica#step}, until nothing moves.
 * No I/O, no clock, no threads. Not thread-safe.
 */
final class ReplicaPump {
  private static final int ELECTION_TICKS_MAX = 10_000;

  private final Replica[] replicas;
  private final ReadyExecutor[] executors;
  private final ArrayDeque<Message> wire = new ArrayDeque<>();

  ReplicaPump(int nodes, boolean withStore) {
    List<Integer> members = new ArrayList<>();
    for (int i = 1; i <= nodes; i++) {
      members.add(i);
    }
    replicas = new Replica[nodes];
    executors = new ReadyExecutor[nodes];
    for (int i = 0; i < nodes; i++) {
      ReplicaConfig config =
          ReplicaConfig.builder(i + 1, members).trigger(RoundTrigger.AUTO).build();
      Store store = withStore ? new InMemoryStore() : new DiscardingStore();
      replicas[i] = new Replica(config, store.load());
      executors[i] =
          new ReadyExecutor(
              store, wire::add, (slot, block) -> {}, ReadyExecutor.Listener.NONE,
              ReadyExecutor.Hook.NONE);
    }
  }

  int size() {
    return replicas.length;
  }

  Replica replica(int index) {
    return replicas[index];
  }

  /** Submits one entry at node 1 and ticks until a stable leader has chosen it; returns the leader. */
  Replica electLeader(byte[] payload) {
    replicas[0].submit(payload);
    for (int t = 0; t < ELECTION_TICKS_MAX; t++) {
      for (Replica r : replicas) {
        r.tick();
      }
      run();
      for (Replica r : replicas) {
        if (r.isLeader() && r.chosenEntries() == 1) {
          return r;
        }
      }
    }
    throw new IllegalStateException("no leader after " + ELECTION_TICKS_MAX + " ticks");
  }

  /** Pumps effects and messages until every replica is quiet. Returns messages delivered. */
  int run() {
    int delivered = 0;
    boolean moved = true;
    while (moved) {
      moved = false;
      for (int i = 0; i < replicas.length; i++) {
        Ready ready = replicas[i].ready();
        if (ready.isEmpty()) {
          continue;
        }
        moved = true;
        executors[i].execute(ready);
      }
      for (Message m = wire.poll(); m != null; m = wire.poll()) {
        replicas[m.to() - 1].step(m);
        delivered++;
        moved = true;
      }
    }
    return delivered;
  }

  /** The "none" store: every write goes nowhere, and there is nothing to load. */
  private static final class DiscardingStore implements Store {
    @Override
    public StoredState load() {
      return StoredState.EMPTY;
    }

    @Override
    public void saveIdentity(StoreIdentity identity) {}

    @Override
    public void savePromised(Ballot promised) {}

    @Override
    public void saveAccepted(Proposal accepted) {}

    @Override
    public void saveChosen(SlotBlock chosen) {}

    @Override
    public void appendLocal(Entry entry) {}

    @Override
    public void removeLocal(Collection<EntryId> ids) {}

    @Override
    public void sync() {}

    @Override
    public void close() {}
  }
}
