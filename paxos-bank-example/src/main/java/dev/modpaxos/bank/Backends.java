package dev.modpaxos.bank;

import java.nio.file.Path;

/** Picks the {@link ClusterBackend} for the command-line options. */
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

  static ClusterBackend create(TransportKind transport, StoreKind store, Path dataDir, boolean tls) {
    if (transport == TransportKind.local && store == StoreKind.memory) {
      if (tls) {
        throw new IllegalArgumentException("--tls needs --transport grpc");
      }
      return new LocalBackend();
    }
    throw new IllegalArgumentException(
        "--transport " + transport + " with --store " + store + " is not available in this build");
  }
}
