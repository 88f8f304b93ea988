package dev.modpaxos.bank;

import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.Transport;
import dev.modpaxos.storage.chronicle.ChronicleStore;
import dev.modpaxos.local.InMemoryStore;
import dev.modpaxos.transport.grpc.GrpcTransport;
import dev.modpaxos.transport.grpc.TlsConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * Real transport and real storage: {@link GrpcTransport} between the members' addresses (mutual
 * TLS when a {@link BankPki} is given) and a {@link ChronicleStore} per node under a data directory
 * ({@code <dataDir>/S1}, ...). Either half can be swapped for the in-JVM one, for tests.
 */
public final class GrpcChronicleBackend implements ClusterBackend {
  private final Map<Integer, InetSocketAddress> members;
  private final Path dataDir;
  private final BankPki pki;
  private final boolean chronicle;
  private final Map<Integer, InMemoryStore> memoryStores = new ConcurrentHashMap<>();

  /**
   * @param members every member's Paxos address (the nodes this process runs bind theirs)
   * @param dataDir where the Chronicle stores live; created if missing
   * @param pki the certificates for mutual TLS, or null for plaintext
   * @param chronicle false to keep stores in memory instead (tests of the transport alone)
   */
  public GrpcChronicleBackend(
      Map<Integer, InetSocketAddress> members, Path dataDir, BankPki pki, boolean chronicle) {
    this.members = Map.copyOf(members);
    this.dataDir = dataDir;
    this.pki = pki;
    this.chronicle = chronicle;
  }

  @Override
  public Transport transport(int nodeId) {
    // A late promise still counts while its round waits for it (BankServer.PROMISE_WAIT_TICKS):
    // the stream transport has no per-message deadline, so a loaded machine delays messages but
    // does not drop them (issue 11, issue 17).
    GrpcTransport.Builder b = GrpcTransport.builder(nodeId, members);
    if (pki != null) {
      b.tls(pki.node(nodeId));
    }
    return b.build();
  }

  @Override
  public Store openStore(int nodeId) {
    if (!chronicle) {
      return memoryStores.computeIfAbsent(nodeId, id -> new InMemoryStore());
    }
    Path dir = dataDir.resolve(Servers.name(nodeId));
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    return ChronicleStore.open(dir);
  }

  @Override
  public long warmUpMillis() {
    return 300;
  }

  @Override
  public String description() {
    return "gRPC transport" + (pki != null ? " with mutual TLS" : "") + " on "
        + members.get(1).getHostString() + ", "
        + (chronicle ? "Chronicle stores in " + dataDir : "in-memory stores");
  }

  /** Members at {@code 127.0.0.1} on free ports, for five nodes in one JVM. */
  public static Map<Integer, InetSocketAddress> loopbackMembers(IntFunction<Integer> portOf) {
    Map<Integer, InetSocketAddress> m = new java.util.TreeMap<>();
    for (int id : Servers.IDS) {
      m.put(id, new InetSocketAddress("127.0.0.1", portOf.apply(id)));
    }
    return m;
  }
}
