package dev.modpaxos.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;

/**
 * Apache Ratis, gRPC transport, N servers on 127.0.0.1 in this JVM and one async client. The log
 * is Ratis's in-memory log ({@code raft.server.log.use.memory}), as modpaxos runs on {@code
 * InMemoryStore} and MicroRaft on its no-op store here: all three measure consensus and transport,
 * not the disk.
 */
final class RatisCluster implements BenchCluster {
  private final Path dir = Loopback.tempDir("ratis");
  private final List<RaftServer> servers = new ArrayList<>();
  private final RaftClient client;

  RatisCluster(int nodes) throws IOException {
    List<RaftPeer> peers = new ArrayList<>();
    for (int i = 1; i <= nodes; i++) {
      peers.add(
          RaftPeer.newBuilder()
              .setId("n" + i)
              .setAddress(Loopback.HOST + ":" + Loopback.freePort())
              .build());
    }
    RaftGroup group =
        RaftGroup.valueOf(RaftGroupId.valueOf(UUID.nameUUIDFromBytes(
            "modpaxos-bench".getBytes(StandardCharsets.UTF_8))), peers);
    try {
      for (RaftPeer peer : peers) {
        RaftServer server =
            RaftServer.newBuilder()
                .setServerId(peer.getId())
                .setGroup(group)
                .setProperties(properties(peer))
                .setStateMachine(new Ledger())
                .build();
        servers.add(server);
        server.start();
      }
      client = RaftClient.newBuilder().setProperties(new RaftProperties()).setRaftGroup(group).build();
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private RaftProperties properties(RaftPeer peer) {
    RaftProperties p = new RaftProperties();
    int port = Integer.parseInt(peer.getAddress().substring(peer.getAddress().lastIndexOf(':') + 1));
    GrpcConfigKeys.Server.setHost(p, Loopback.HOST);
    GrpcConfigKeys.Server.setPort(p, port);
    GrpcConfigKeys.Admin.setHost(p, Loopback.HOST);
    GrpcConfigKeys.Client.setHost(p, Loopback.HOST);
    RaftServerConfigKeys.setStorageDir(p, List.of(dir.resolve(peer.getId().toString()).toFile()));
    RaftServerConfigKeys.Log.setUseMemory(p, true);
    // Ratis waits up to 10 ms between appends by default; 0 favours latency, and the peer.
    RaftServerConfigKeys.Log.Appender.setWaitTimeMin(p, TimeDuration.ZERO);
    return p;
  }

  @Override
  public CompletableFuture<?> submit(byte[] command) {
    return client.async().send(Message.valueOf(ByteString.copyFrom(command)));
  }

  @Override
  public void close() {
    try {
      if (client != null) {
        client.close();
      }
    } catch (IOException | RuntimeException e) {
      System.err.println("ratis client close: " + e);
    }
    for (RaftServer s : servers) {
      try {
        s.close();
      } catch (IOException | RuntimeException e) {
        System.err.println("ratis server close: " + e);
      }
    }
    Loopback.deleteTree(dir);
  }

  /** The transfer ledger as a Ratis state machine. */
  private static final class Ledger extends BaseStateMachine {
    private final Transfers transfers = new Transfers();

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
      LogEntryProto entry = trx.getLogEntry();
      transfers.apply(entry.getStateMachineLogEntry().getLogData().toByteArray());
      updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
      return CompletableFuture.completedFuture(Message.EMPTY);
    }
  }
}
