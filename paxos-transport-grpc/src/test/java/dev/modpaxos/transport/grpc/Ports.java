package dev.modpaxos.transport.grpc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Free loopback addresses for tests: binds port 0 on 127.0.0.1, notes the port, releases it. */
final class Ports {
  private Ports() {}

  static InetSocketAddress freeLoopback() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
