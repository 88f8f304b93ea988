package dev.modpaxos.bank;

import java.io.IOException;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The multi-process cluster file: for each server its Paxos (gRPC transport) address and its admin
 * address, and optionally the directory of TLS files. Example:
 *
 * <pre>
 * S1.paxos = 127.0.0.1:7101
 * S1.admin = 127.0.0.1:7201
 * ...
 * # optional: ca.pem, node-1.pem, node-1.key ... in this directory turn on mutual TLS
 * tls.dir = certs
 * </pre>
 *
 * @param paxos each server's Paxos address, by node id
 * @param admin each server's admin address, by node id
 * @param tlsDir the TLS directory, or null for plaintext
 */
public record ClusterConfig(
    Map<Integer, InetSocketAddress> paxos, Map<Integer, InetSocketAddress> admin, Path tlsDir) {

  /** Reads and validates a cluster file; relative paths resolve against its directory. */
  public static ClusterConfig load(Path file) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    Map<Integer, InetSocketAddress> paxos = new TreeMap<>();
    Map<Integer, InetSocketAddress> admin = new TreeMap<>();
    for (int id : Servers.IDS) {
      paxos.put(id, address(p, Servers.name(id) + ".paxos", file));
      admin.put(id, address(p, Servers.name(id) + ".admin", file));
    }
    for (String key : p.stringPropertyNames()) {
      if (!key.matches("S[1-5]\\.(paxos|admin)") && !key.equals("tls.dir")) {
        throw new IllegalArgumentException(file + ": unknown key '" + key + "'");
      }
    }
    String tls = p.getProperty("tls.dir");
    Path base = file.toAbsolutePath().getParent();
    return new ClusterConfig(paxos, admin, tls == null ? null : base.resolve(tls.trim()));
  }

  private static InetSocketAddress address(Properties p, String key, Path file) {
    String v = p.getProperty(key);
    if (v == null) {
      throw new IllegalArgumentException(file + ": missing " + key + " (host:port)");
    }
    int colon = v.trim().lastIndexOf(':');
    try {
      int port = Integer.parseInt(v.trim().substring(colon + 1));
      if (colon <= 0 || port < 1 || port > 65535) {
        throw new NumberFormatException();
      }
      return new InetSocketAddress(v.trim().substring(0, colon), port);
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      throw new IllegalArgumentException(file + ": " + key + " = '" + v + "' is not host:port");
    }
  }

  /** The file {@link #load} reads, for five servers on this machine from {@code basePort}. */
  public static String localhost(int basePort) {
    StringBuilder b = new StringBuilder("# five bank servers on this machine\n");
    for (int id : Servers.IDS) {
      b.append(Servers.name(id)).append(".paxos = 127.0.0.1:").append(basePort + id).append('\n');
      b.append(Servers.name(id)).append(".admin = 127.0.0.1:").append(basePort + 100 + id)
          .append('\n');
    }
    return b.toString();
  }
}
