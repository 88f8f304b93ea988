package dev.modpaxos.benchmarks;

import dev.modpaxos.bank.ClusterBackend;
import dev.modpaxos.bank.Servers;
import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.Transport;
import dev.modpaxos.storage.chronicle.ChronicleStore;
import dev.modpaxos.transport.grpc.GrpcTransport;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bank's embedded backend as {@link BankBenchmark} runs it: {@code GrpcTransport} on free
 * 127.0.0.1 ports and one {@code ChronicleStore} (default configuration, POWER durability) per
 * server in a temp folder, deleted again by {@link #close()}. Built here from the bank's public
 * {@link ClusterBackend} SPI, so the benchmark does not depend on how the bank's launcher picks
 * its backends.
 */
final class EmbeddedBankBackend implements ClusterBackend {
  private final Map<Integer, InetSocketAddress> members = new TreeMap<>();
  private final Path dir = Loopback.tempDir("bank");

  EmbeddedBankBackend() {
    for (int id : Servers.IDS) {
      members.put(id, Loopback.freeAddress());
    }
  }

  @Override
  public Transport transport(int nodeId) {
    return GrpcTransport.builder(nodeId, members).build();
  }

  @Override
  public Store openStore(int nodeId) {
    return ChronicleStore.open(dir.resolve(Servers.name(nodeId)));
  }

  @Override
  public String description() {
    return "gRPC on 127.0.0.1, Chronicle stores in " + dir;
  }

  /** Deletes the stores' folder; call after the servers are closed. */
  @Override
  public void close() {
    Loopback.deleteTree(dir);
  }
}
