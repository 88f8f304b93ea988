package dev.modpaxos.bank;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Picks the {@link ClusterBackend} for the command-line options of {@code bank run}. */
final class Backends {
  enum TransportKind {
    local,
    grpc
  }

  enum StoreKind {
    memory,
    chronicle
  }

  private Backends() {}

  /** Throws {@link IllegalArgumentException} for a combination that does not exist. */
  static ClusterBackend create(TransportKind transport, StoreKind store, Path dataDir, boolean tls)
      throws IOException {
    if (transport == TransportKind.local) {
      if (tls) {
        throw new IllegalArgumentException("--tls needs --transport grpc");
      }
      if (store == StoreKind.chronicle) {
        throw new IllegalArgumentException(
            "--transport local runs with --store memory; Chronicle stores need --transport grpc");
      }
      return new LocalBackend();
    }
    List<Integer> ports = Ports.free(Servers.COUNT);
    BankPki pki = tls ? BankPki.create(dataDir.resolve("tls")) : null;
    return new GrpcChronicleBackend(GrpcChronicleBackend.loopbackMembers(id -> ports.get(id - 1)),
        dataDir, pki, store == StoreKind.chronicle);
  }
}
