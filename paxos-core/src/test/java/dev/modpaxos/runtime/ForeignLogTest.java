package dev.modpaxos.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.protocol.Stamp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** R2: a foreign message is logged as one line naming both fingerprints, at most once a second. */
class ForeignLogTest {
  private static final ReplicaConfig CONFIG =
      ReplicaConfig.builder(3, List.of(1, 2, 3, 4, 5)).clusterId("bank").build();

  private final List<String> lines = new ArrayList<>();
  private long nanos;
  private final ForeignLog log = new ForeignLog(3, CONFIG, () -> nanos, lines::add);

  @Test
  void oneLineNamesTheSenderBothFingerprintsAndTheCountAndFloodsAreHeldBack() {
    Stamp theirs = new Stamp(Stamp.clusterFingerprint("bank", List.of(1, 2, 3)), 0);
    Message prepare = new Message.Prepare(1, 3, new Ballot(4, 1), 0);
    log.rejected(theirs, prepare, 1);
    nanos += TimeUnit.MILLISECONDS.toNanos(999);
    log.rejected(theirs, new Message.Commit(2, 3, 1, Block.EMPTY), 2);
    log.rejected(theirs, prepare, 3);
    assertThat(lines).containsExactly("node 3 rejected PREPARE from node 1 of another cluster: its"
        + " cluster fingerprint is " + Stamp.hex(theirs.cluster()) + ", this node's is "
        + Stamp.hex(Stamp.clusterFingerprint(CONFIG)) + " (cluster id \"bank\", founding members"
        + " [1, 2, 3, 4, 5]); 1 rejected so far; check clusterId and members on both");

    nanos += TimeUnit.MILLISECONDS.toNanos(1);
    log.rejected(theirs, prepare, 4);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(1)).contains("4 rejected so far")
        .endsWith("(2 more held back since the last)").doesNotContain("\n");
  }
}
