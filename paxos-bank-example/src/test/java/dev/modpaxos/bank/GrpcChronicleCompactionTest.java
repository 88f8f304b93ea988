package dev.modpaxos.bank;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/** Compaction on the embedded default's backend: gRPC and a Chronicle store per server. */
class GrpcChronicleCompactionTest extends CompactionTest {
  @TempDir Path dir;

  @Override
  protected ClusterBackend newBackend() {
    List<Integer> ports = Ports.free(Servers.COUNT);
    return new GrpcChronicleBackend(GrpcChronicleBackend.loopbackMembers(id -> ports.get(id - 1)),
        dir, null, true);
  }
}
