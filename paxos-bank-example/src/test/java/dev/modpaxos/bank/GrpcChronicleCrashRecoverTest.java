package dev.modpaxos.bank;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/** Crash and recovery over gRPC with mutual TLS, each node reopening its Chronicle store. */
class GrpcChronicleCrashRecoverTest extends CrashRecoverTest {
  @TempDir Path dir;

  @Override
  protected ClusterBackend newBackend() throws Exception {
    List<Integer> ports = Ports.free(Servers.COUNT);
    return new GrpcChronicleBackend(GrpcChronicleBackend.loopbackMembers(id -> ports.get(id - 1)),
        dir, BankPki.create(dir.resolve("tls")), true);
  }
}
