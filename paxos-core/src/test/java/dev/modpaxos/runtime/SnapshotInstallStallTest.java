package dev.modpaxos.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.local.InMemoryStore;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Boot;
import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.Replica;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.spi.SnapshotApplication;
import dev.modpaxos.spi.StoredState;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * R20: a node fetching a snapshot from the only peer that held it, which then lost it (its disk
 * was wiped), must not wait for it forever: once the fetch makes no progress, an older snapshot
 * another peer offers replaces it. Found by the simulator (seed 4627 of d992616: the follower
 * stayed behind the compaction point for the whole liveness phase).
 */
class SnapshotInstallStallTest {
  private static final long TIMEOUT_TICKS = 5;

  private final List<Message> sent = new ArrayList<>();

  private Snapshots snapshots() {
    SnapshotApplication app =
        new SnapshotApplication() {
          @Override
          public void apply(long slot, Block block) {}

          @Override
          public SnapshotWriter snapshot(long slot) {
            return out -> {};
          }

          @Override
          public void restore(long slot, InputStream in) {}
        };
    Snapshots s =
        new Snapshots(2, new InMemoryStore(), app, new Snapshots.Policy(0, 0, 0, 1024), sent::add,
            Runnable::run, Runnable::run, TIMEOUT_TICKS);
    Replica replica =
        new Replica(ReplicaConfig.builder(2, List.of(1, 2, 3)).build(), StoredState.EMPTY,
            Boot.existing(7));
    s.started(replica, null);
    return s;
  }

  private List<Message.SnapshotRequest> requests() {
    List<Message.SnapshotRequest> r = new ArrayList<>();
    for (Message m : sent) {
      if (m instanceof Message.SnapshotRequest q) {
        r.add(q);
      }
    }
    return r;
  }

  @Test
  void aFetchThatMakesNoProgressGivesWayToAnOlderSnapshotAnotherPeerOffers() {
    Snapshots s = snapshots();
    s.step(new Message.SnapshotOffer(1, 2, 45));
    assertThat(requests()).extracting(Message.SnapshotRequest::slot).containsExactly(45L);

    s.step(new Message.SnapshotOffer(3, 2, 44));
    assertThat(requests()).as("a newer fetch that progresses keeps going").hasSize(1);

    for (int t = 0; t < 2 * TIMEOUT_TICKS; t++) {
      s.tick(); // node 1 never answers: it lost snapshot 45
    }
    s.step(new Message.SnapshotOffer(3, 2, 44));
    assertThat(requests()).last().satisfies(r -> {
      assertThat(r.slot()).isEqualTo(44);
      assertThat(r.to()).isEqualTo(3);
    });
  }
}
