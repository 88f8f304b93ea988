package dev.modpaxos.transport.grpc;

import dev.modpaxos.spi.Transport;
import dev.modpaxos.spi.TransportContract;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** {@link TransportContract} against {@link GrpcTransport}, over plaintext and over mutual TLS. */
class GrpcTransportContractTest {
  static final int BYTES_MAX = 64 * 1024;

  @TempDir static Path pkiDir;
  static TestPki pki;

  @BeforeAll
  static void makePki() {
    pki = new TestPki(pkiDir, "cluster");
  }

  /** Shared setup: addresses for the members, fixed per test so a restart reuses its port. */
  abstract static class GrpcContract extends TransportContract {
    final Map<Integer, InetSocketAddress> members = new HashMap<>();

    GrpcContract() {
      // Distinct ports: a port released by one call may be handed out again by the next.
      for (int id : MEMBERS) {
        InetSocketAddress a = Ports.freeLoopback();
        while (members.containsValue(a)) {
          a = Ports.freeLoopback();
        }
        members.put(id, a);
      }
    }

    abstract GrpcTransport.Builder secure(GrpcTransport.Builder b, int certifiedAs);

    GrpcTransport.Builder builder(int self, Map<Integer, InetSocketAddress> addresses) {
      return GrpcTransport.builder(self, addresses)
          .maxInboundMessageBytes(BYTES_MAX)
          .reconnectBackoffMillis(10, 100);
    }

    @Override
    protected Transport newTransport(int nodeId) {
      return secure(builder(nodeId, members), nodeId).build();
    }

    @Override
    protected Transport newNonMemberTransport(int nodeId) {
      Map<Integer, InetSocketAddress> withOutsider = new HashMap<>(members);
      withOutsider.put(nodeId, Ports.freeLoopback());
      return secure(builder(nodeId, withOutsider), nodeId).build();
    }

    @Override
    protected int messageBytesMax() {
      return BYTES_MAX;
    }
  }

  @Nested
  class Plaintext extends GrpcContract {
    @Override
    GrpcTransport.Builder secure(GrpcTransport.Builder b, int certifiedAs) {
      return b;
    }
  }

  /** The same contract with inbound messages handed to a pool rather than run on the event loop. */
  @Nested
  class PooledInbound extends GrpcContract {
    @Override
    GrpcTransport.Builder secure(GrpcTransport.Builder b, int certifiedAs) {
      return b.threads(2);
    }
  }

  @Nested
  class MutualTls extends GrpcContract {
    @Override
    GrpcTransport.Builder secure(GrpcTransport.Builder b, int certifiedAs) {
      return b.tls(pki.node(certifiedAs));
    }

    @Override
    protected Transport newImpostorTransport(int claimedId, int authenticatedId) {
      Map<Integer, InetSocketAddress> elsewhere = new HashMap<>(members);
      elsewhere.put(claimedId, Ports.freeLoopback()); // the real node owns the member address
      return secure(builder(claimedId, elsewhere), authenticatedId).build();
    }
  }
}
