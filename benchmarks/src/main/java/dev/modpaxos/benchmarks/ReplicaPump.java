package dev.modpaxos.benchmarks;

import dev.modpaxos.local.InMemoryStore;
import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.Ready;
import dev.modpaxos.protocol.Replica;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.protocol.RoundTrigger;
import dev.modpaxos.spi.StoredState;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * N in-memory {@link Replica}s driven on one thread by a tiny deterministic message pump: drain
 * each replica's {@link Replica#ready()}, carry out its store writes (to nothing, or to an {@link
 * InMemoryStore}), then deliver every message, in FIFO order, to its addressee's {@link
 * Replica#step}, until nothing moves. No I/O, no clock, no threads. Not thread-safe.
 */
final class ReplicaPump {
  private static final int ELECTION_TICKS_MAX = 10_000;

  private final Replica[] replicas;
  private final InMemoryStore[] stores; // null: store writes go nowhere
  private final ArrayDeque<Message> wire = new ArrayDeque<>();

  ReplicaPump(int nodes, boolean withStore) {
    List<Integer> members = new ArrayList<>();
    for (int i = 1; i <= nodes; i++) {
      members.add(i);
    }
    replicas = new Replica[nodes];
    stores = withStore ? new InMemoryStore[nodes] : null;
    for (int i = 0; i < nodes; i++) {
      ReplicaConfig config =
          ReplicaConfig.builder(i + 1, members).trigger(RoundTrigger.AUTO).build();
      if (withStore) {
        stores[i] = new InMemoryStore();
        replicas[i] = new Replica(config, stores[i].load());
      } else {
        replicas[i] = new Replica(config, StoredState.EMPTY);
      }
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
        if (stores != null && ready.needsPersist()) {
          persist(stores[i], ready);
        }
        wire.addAll(ready.messages());
      }
      for (Message m = wire.poll(); m != null; m = wire.poll()) {
        replicas[m.to() - 1].step(m);
        delivered++;
        moved = true;
      }
    }
    return delivered;
  }

  private static void persist(InMemoryStore store, Ready r) {
    r.writeTo(store);
    store.sync();
  }
}
