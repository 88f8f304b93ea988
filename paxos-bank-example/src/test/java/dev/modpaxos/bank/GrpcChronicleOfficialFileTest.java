package dev.modpaxos.bank;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/** The official file end to end over real gRPC on 127.0.0.1 with Chronicle stores. */
class GrpcChronicleOfficialFileTest extends OfficialFileTest {
  @TempDir Path dir;

  @Override
  protected ClusterBackend newBackend() {
    List<Integer> ports = Ports.free(Servers.COUNT);
    return new GrpcChronicleBackend(
        GrpcChronicleBackend.loopbackMembers(id -> ports.get(id - 1)), dir, null, true);
  }
}
