package dev.modpaxos.benchmarks;

import io.microraft.RaftConfig;
import io.microraft.RaftEndpoint;
import io.microraft.RaftNode;
import io.microraft.model.message.RaftMessage;
import io.microraft.statemachine.StateMachine;
import io.microraft.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * MicroRaft 0.7 with a small in-memory transport (a send calls the addressee's {@code handle},
 * which queues onto that node's executor thread) and its default no-op store, N nodes in this JVM.
 * The client replicates through the leader.
 */
final class MicroRaftCluster implements BenchCluster {
  private static final long LEADER_WAIT_MILLIS = 30_000;
  private static final Object NEW_TERM = "new-term";

  private final Map<Object, RaftNode> nodes = new ConcurrentHashMap<>();
  private final RaftNode leader;

  private record Endpoint(String id) implements RaftEndpoint {
    @Override
    public Object getId() {
      return id;
    }
  }

  MicroRaftCluster(int size) throws InterruptedException {
    List<RaftEndpoint> members = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      members.add(new Endpoint("n" + i));
    }
    RaftConfig config =
        RaftConfig.newBuilder()
            .setLeaderElectionTimeoutMillis(300)
            .setLeaderHeartbeatPeriodSecs(1)
            .setLeaderHeartbeatTimeoutSecs(5)
            .build();
    Transport transport = new InMemoryTransport();
    for (RaftEndpoint e : members) {
      RaftNode node =
          RaftNode.newBuilder()
              .setGroupId("bench")
              .setLocalEndpoint(e)
              .setInitialGroupMembers(members)
              .setConfig(config)
              .setTransport(transport)
              .setStateMachine(new Ledger())
              .build();
      nodes.put(e.getId(), node);
    }
    nodes.values().forEach(RaftNode::start);
    leader = awaitLeader();
  }

  private RaftNode awaitLeader() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LEADER_WAIT_MILLIS);
    while (System.nanoTime() < deadline) {
      for (RaftNode n : nodes.values()) {
        RaftEndpoint l = n.getTerm().getLeaderEndpoint();
        if (l != null && l.equals(n.getLocalEndpoint())) {
          return n;
        }
      }
      Thread.sleep(10);
    }
    close();
    throw new IllegalStateException("MicroRaft elected no leader in " + LEADER_WAIT_MILLIS + " ms");
  }

  @Override
  public CompletableFuture<?> submit(byte[] command) {
    return leader.replicate(command);
  }

  @Override
  public void close() {
    for (RaftNode n : nodes.values()) {
      try {
        n.terminate().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("microraft terminate: " + e);
      }
    }
  }

  private final class InMemoryTransport implements Transport {
    @Override
    public void send(RaftEndpoint target, RaftMessage message) {
      RaftNode to = nodes.get(target.getId());
      if (to != null) {
        to.handle(message);
      }
    }

    @Override
    public boolean isReachable(RaftEndpoint endpoint) {
      return nodes.containsKey(endpoint.getId());
    }
  }

  /** The transfer ledger as a MicroRaft state machine (no snapshots needed in a benchmark). */
  private static final class Ledger implements StateMachine {
    private final Transfers transfers = new Transfers();

    @Override
    public Object runOperation(long commitIndex, Object operation) {
      return operation instanceof byte[] command ? transfers.apply(command) : null;
    }

    @Override
    public void takeSnapshot(long commitIndex, Consumer<Object> snapshotChunkConsumer) {
      snapshotChunkConsumer.accept(new byte[0]);
    }

    @Override
    public void installSnapshot(long commitIndex, List<Object> snapshotChunks) {}

    @Override
    public Object getNewTermOperation() {
      return NEW_TERM;
    }
  }
}
