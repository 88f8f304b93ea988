package dev.modpaxos.benchmarks.sofajraft;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Iterator;
import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.RaftGroupService;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.core.StateMachineAdapter;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.entity.Task;
import com.alipay.sofa.jraft.option.NodeOptions;
import com.alipay.sofa.jraft.rpc.RaftRpcServerFactory;
import com.alipay.sofa.jraft.rpc.RpcServer;
import com.alipay.sofa.jraft.rpc.impl.BoltRpcServer;
import java.nio.ByteBuffer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * SOFAJRaft 1.4.1, N nodes of one group in this JVM: Bolt RPC servers bound to 127.0.0.1, each
 * node's log in RocksDB with {@code RaftOptions.sync} on (its default: the log is fsynced once per
 * appended batch, {@code WriteOptions.setSync}), its Raft metadata beside it, no snapshots. The
 * client applies each command at the leader ({@code Node.apply}); the returned future completes
 * once the leader's state machine has applied it, i.e. after a majority has the entry durably.
 * Thread-safe.
 *
 * <p>Logging: SOFAJRaft logs through slf4j (the caller's binding decides: the benchmarks turn
 * {@code com.alipay} off); Bolt's own log space ({@code sofa-common-tools}) is disabled and its
 * console reports limited to errors before the first Bolt class loads; java.util.logging is off
 * for {@code com.alipay}, Hessian's {@code com.caucho} and the relocated libraries.
 */
public final class SofaJRaftCluster implements AutoCloseable {
  /** The one address every node binds. */
  public static final String HOST = "127.0.0.1";

  // Where the shade plugin relocates SOFAJRaft's libraries (no relocation pattern matches this).
  private static final String SHADED = "dev.modpaxos.benchmarks.sofajraft.shaded";
  private static final String GROUP = "modpaxos-bench";
  private static final long LEADER_WAIT_MILLIS = 30_000;
  // Strong references: java.util.logging forgets the level of a logger that is collected.
  private static final List<Logger> JUL_OFF = new ArrayList<>();

  static {
    quietLogging();
  }

  private final List<RaftGroupService> services = new ArrayList<>();
  private final List<Node> nodes = new ArrayList<>();
  private final Node leader;

  /**
   * Starts one node per port on 127.0.0.1, each with its data under {@code dir} (which the caller
   * creates and deletes), and waits until one of them leads.
   *
   * @param ports a free 127.0.0.1 port per node; the size of the group
   * @param dir an empty folder for the nodes' RocksDB logs and metadata
   * @param ledgers a fresh state machine body per node: called with each applied command, in log
   *     order, on that node's state-machine thread
   * @throws IllegalStateException if a node does not start or no leader is elected in 30 s; the
   *     nodes started so far are shut down again
   * @throws UncheckedIOException if a node's folder cannot be created
   */
  public SofaJRaftCluster(
      List<Integer> ports, Path dir, Supplier<? extends Consumer<byte[]>> ledgers)
      throws InterruptedException {
    List<PeerId> peers = new ArrayList<>();
    for (int port : ports) {
      peers.add(new PeerId(HOST, port));
    }
    Configuration conf = new Configuration(peers);
    try {
      for (int i = 0; i < peers.size(); i++) {
        PeerId peer = peers.get(i);
        Path nodeDir = Files.createDirectories(dir.resolve("n" + (i + 1))); // RocksDB makes one level only
        NodeOptions options = new NodeOptions();
        options.setInitialConf(conf.copy());
        options.setFsm(new Ledger(ledgers.get()));
        options.setLogUri(nodeDir.resolve("log").toString());
        options.setRaftMetaUri(nodeDir.resolve("meta").toString());
        // No snapshot URI: no snapshots, as for Ratis and MicroRaft in this suite.
        options.getRaftOptions().setSync(true); // the default, stated: fsync per log batch
        // RaftRpcServerFactory.createRaftRpcServer(endpoint) would bind every interface (Bolt's
        // RpcServer(port)); Bolt's (ip, port, manageConnection) constructor binds 127.0.0.1 only.
        RpcServer rpc =
            new BoltRpcServer(new com.alipay.remoting.rpc.RpcServer(HOST, peer.getPort(), true));
        RaftRpcServerFactory.addRaftRequestProcessors(rpc);
        RaftGroupService service = new RaftGroupService(GROUP, peer, options, rpc);
        services.add(service);
        Node node = service.start();
        if (node == null) {
          throw new IllegalStateException("sofajraft node " + peer + " did not start");
        }
        nodes.add(node);
      }
      leader = awaitLeader();
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(e);
    } catch (InterruptedException | RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  private Node awaitLeader() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LEADER_WAIT_MILLIS);
    while (System.nanoTime() < deadline) {
      for (Node n : nodes) {
        if (n.isLeader()) {
          return n;
        }
      }
      Thread.sleep(10);
    }
    throw new IllegalStateException("sofajraft elected no leader in " + LEADER_WAIT_MILLIS + " ms");
  }

  /**
   * Applies one command at the leader. The future completes when the leader's state machine has
   * applied it, and fails with the status if SOFAJRaft refuses or loses it (for example when
   * leadership moves).
   */
  public CompletableFuture<Void> submit(byte[] command) {
    CompletableFuture<Void> applied = new CompletableFuture<>();
    Closure done =
        status -> {
          if (status.isOk()) {
            applied.complete(null);
          } else {
            applied.completeExceptionally(new IllegalStateException("sofajraft: " + status));
          }
        };
    leader.apply(new Task(ByteBuffer.wrap(command), done));
    return applied;
  }

  /** Shuts every node and its RPC server down and waits for them. Never throws. */
  @Override
  public void close() {
    for (RaftGroupService s : services) {
      try {
        s.shutdown();
      } catch (RuntimeException e) {
        System.err.println("sofajraft shutdown: " + e);
      }
    }
    for (RaftGroupService s : services) {
      try {
        s.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        System.err.println("sofajraft join: " + e);
      }
    }
  }

  private static void quietLogging() {
    // Read by sofa-common-tools when Bolt first logs: no log space (NOP loggers, no files under
    // ~/logs) and its own console reports (LogLog) at ERROR only.
    setIfAbsent("sofa.middleware.log.disable", "true");
    setIfAbsent("sofa.middleware.log.internal.level", "ERROR");
    // java.util.logging: Hessian (com.caucho), and the relocated protobuf 3, which warns once per
    // message type that SOFAJRaft's generated code predates protobuf 22 (a parsing hardening; the
    // peers here only talk to each other over 127.0.0.1).
    for (String name : List.of("com.alipay", "com.caucho", SHADED)) {
      Logger l = Logger.getLogger(name);
      l.setLevel(Level.OFF);
      JUL_OFF.add(l);
    }
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  /** The caller's ledger as a SOFAJRaft state machine; no snapshots. */
  private static final class Ledger extends StateMachineAdapter {
    private final Consumer<byte[]> apply;

    Ledger(Consumer<byte[]> apply) {
      this.apply = apply;
    }

    @Override
    public void onApply(Iterator iter) {
      while (iter.hasNext()) {
        ByteBuffer data = iter.getData();
        byte[] command = new byte[data.remaining()];
        data.get(command);
        apply.accept(command);
        Closure done = iter.done(); // set on the leader only, for commands applied there
        if (done != null) {
          done.run(Status.OK());
        }
        iter.next();
      }
    }
  }
}
