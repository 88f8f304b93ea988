package dev.modpaxos.transport.grpc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The files of one node's mutual TLS setup, all PEM:
 *
 * @param caCertFile the cluster CA certificate; peers must present a chain to it (client
 *     authentication is required on every connection)
 * @param certChainFile this node's certificate chain, leaf first; the leaf names the node as
 *     {@code node-<id>} (a DNS subject alternative name, or else the subject CN), see
 *     docs/TRANSPORT.md
 * @param privateKeyFile this node's private key, unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY})
 */
public record TlsConfig(Path caCertFile, Path certChainFile, Path privateKeyFile) {
  /**
   * Requires every file to be named (whether it is readable is checked by {@code
   * GrpcTransport.Builder#tls}).
   *
   * @param caCertFile see {@link #caCertFile()}
   * @param certChainFile see {@link #certChainFile()}
   * @param privateKeyFile see {@link #privateKeyFile()}
   */
  public TlsConfig {
    Objects.requireNonNull(caCertFile, "caCertFile");
    Objects.requireNonNull(certChainFile, "certChainFile");
    Objects.requireNonNull(privateKeyFile, "privateKeyFile");
  }

  /** Throws {@link IllegalArgumentException} naming the first file that cannot be read. */
  void requireReadable() {
    for (Path p : new Path[] {caCertFile, certChainFile, privateKeyFile}) {
      if (!Files.isReadable(p)) {
        throw new IllegalArgumentException("TLS file not readable: " + p);
      }
    }
  }
}
