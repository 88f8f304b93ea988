package dev.modpaxos.protocol;

import dev.modpaxos.spi.StoredState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A few replicas driven by hand for unit tests, without a store: every {@link Ready} is drained
 * right after its input and recorded per node, and its messages wait on one FIFO wire until the
 * test delivers or drops them. Invariants are checked after every input. Not thread-safe.
 */
final class ManualCluster {
  private final Map<Integer, Replica> replicas = new LinkedHashMap<>();
  private final Map<Integer, List<Ready>> readies = new LinkedHashMap<>();
  private final List<Message> wire = new ArrayList<>();

  /** Members 1..n, round timeout 10, back-off 1..2, no promise wait unless {@code tune} says. */
  ManualCluster(int n, RoundTrigger trigger, UnaryOperator<ReplicaConfig.Builder> tune) {
    List<Integer> members = new ArrayList<>();
    for (int id = 1; id <= n; id++) {
      members.add(id);
    }
    for (int id : members) {
      ReplicaConfig.Builder b =
          ReplicaConfig.builder(id, members)
              .trigger(trigger)
              .seed(id)
              .roundTimeoutTicks(10)
              .backoffTicksMax(2)
              .promiseWaitTicks(0)
              .forwardIntervalTicks(5);
      put(new Replica(tune.apply(b).build(), StoredState.EMPTY));
    }
  }

  /** Adds or replaces a node (e.g. one booted from a prepared store). */
  ManualCluster put(Replica r) {
    replicas.put(r.nodeId(), r);
    readies.computeIfAbsent(r.nodeId(), k -> new ArrayList<>());
    flush(r.nodeId());
    return this;
  }

  Replica node(int id) {
    return replicas.get(id);
  }

  /** Drains {@code id}'s effects onto the wire. */
  ManualCluster flush(int id) {
    Replica r = replicas.get(id);
    Ready ready = r.ready();
    readies.get(id).add(ready);
    wire.addAll(ready.allMessages());
    Invariants.check(r);
    return this;
  }

  ManualCluster submit(int id, int payload) {
    replicas.get(id).submit(new byte[] {(byte) payload});
    return flush(id);
  }

  long runRound(int id) {
    long ticket = replicas.get(id).runRound();
    flush(id);
    return ticket;
  }

  ManualCluster tick(int id) {
    replicas.get(id).tick();
    return flush(id);
  }

  ManualCluster tick(int id, int ticks) {
    for (int i = 0; i < ticks; i++) {
      tick(id);
    }
    return this;
  }

  /** One tick of every node, then every message on the wire is delivered. */
  ManualCluster run(int ticks) {
    for (int i = 0; i < ticks; i++) {
      for (int id : List.copyOf(replicas.keySet())) {
        tick(id);
      }
      deliverAll();
    }
    return this;
  }

  /** Delivers one message to its addressee, as if it came off the network. */
  ManualCluster step(Message m) {
    replicas.get(m.to()).step(m);
    return flush(m.to());
  }

  ManualCluster deliverAll() {
    return deliver(m -> true);
  }

  /** Delivers matching messages, and matching ones they cause, until none is left. */
  ManualCluster deliver(Predicate<Message> which) {
    for (int guard = 0; guard < 100_000; guard++) {
      Message next = wire.stream().filter(which).findFirst().orElse(null);
      if (next == null) {
        return this;
      }
      wire.remove(next);
      if (replicas.containsKey(next.to())) {
        step(next);
      }
    }
    throw new IllegalStateException("the wire does not settle");
  }

  ManualCluster drop(Predicate<Message> which) {
    wire.removeIf(which);
    return this;
  }

  /** The messages waiting on the wire. */
  List<Message> wire() {
    return List.copyOf(wire);
  }

  /** Every batch {@code id} produced so far, oldest first. */
  List<Ready> readies(int id) {
    return readies.get(id);
  }

  /** The batch {@code id} produced last. */
  Ready last(int id) {
    List<Ready> all = readies.get(id);
    return all.get(all.size() - 1);
  }

  /** Forgets every recorded batch, so that later assertions see only what follows. */
  ManualCluster forget() {
    for (List<Ready> all : readies.values()) {
      all.clear();
    }
    return this;
  }

  List<Message> sentBy(int id) {
    return readies.get(id).stream().flatMap(r -> r.allMessages().stream()).toList();
  }

  List<RoundEvent.Kind> events(int id) {
    return readies.get(id).stream()
        .flatMap(r -> r.events().stream())
        .map(RoundEvent::kind)
        .toList();
  }

  List<Long> roundsDone(int id) {
    return readies.get(id).stream().flatMap(r -> r.roundsDone().stream()).toList();
  }

  List<Long> roundsFailed(int id) {
    return readies.get(id).stream().flatMap(r -> r.roundsFailed().stream()).toList();
  }

  static Predicate<Message> to(int id) {
    return m -> m.to() == id;
  }

  static Predicate<Message> from(int id) {
    return m -> m.from() == id;
  }

  static Predicate<Message> ofType(Class<? extends Message> type) {
    return type::isInstance;
  }
}
