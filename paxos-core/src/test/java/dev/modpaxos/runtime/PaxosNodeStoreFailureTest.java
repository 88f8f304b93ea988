package dev.modpaxos.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modpaxos.local.DiskFaults;
import dev.modpaxos.local.FaultInjectingStore;
import dev.modpaxos.local.InMemoryStore;
import dev.modpaxos.local.LocalNetwork;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.protocol.RoundTrigger;
import dev.modpaxos.spi.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node whose store fails a sync (an injected fsync error) stops with a one-line reason and
 * acknowledges nothing that was not synced: the submit's durable future fails, and the entry it
 * wrote is never sent, so the others never choose it.
 */
class PaxosNodeStoreFailureTest {
  private static final List<Integer> MEMBERS = List.of(1, 2, 3);
  private final LocalNetwork network = new LocalNetwork();
  private final List<InMemoryStore> stores = new ArrayList<>();
  private final List<PaxosNode> nodes = new ArrayList<>();
  private final DiskFaults faults = new DiskFaults();

  private void startCluster() {
    for (int id : MEMBERS) {
      InMemoryStore store = new InMemoryStore();
      stores.add(store);
      nodes.add(PaxosNode.builder(
              ReplicaConfig.builder(id, MEMBERS).trigger(RoundTrigger.ON_DEMAND).build())
          .transport(network.transport(id))
          .store(id == 1 ? new FaultInjectingStore(store, faults) : store)
          .application((slot, block) -> { })
          .tickMillis(5)
          .bootstrap(true)
          .build()
          .start());
    }
  }

  @AfterEach
  void stop() {
    nodes.forEach(PaxosNode::close);
  }

  @Test
  void aSubmitWhoseSyncFailedIsNotAcknowledgedAndTheNodeStops() throws Exception {
    startCluster();
    PaxosNode one = nodes.get(0);
    one.submit(new byte[] {1}).durable().get(5, TimeUnit.SECONDS); // synced: acknowledged
    faults.failSyncs(1);
    SubmitHandle failed = one.submit(new byte[] {2});
    assertThatThrownBy(() -> failed.durable().get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(NodeStoppedException.class)
        .hasMessage("node 1 stopped: injected fsync error")
        .hasRootCauseInstanceOf(StoreException.class);
    assertThat(one.isRunning()).isFalse();
    assertThatThrownBy(() -> one.submit(new byte[] {3}))
        .isInstanceOf(NodeStoppedException.class)
        .hasMessageContaining("injected fsync error");
    // The unsynced entry is what a crash now may lose; the acknowledged one is durable.
    InMemoryStore store = stores.get(0);
    store.crash();
    List<Entry> durable = store.load().localLog();
    assertThat(durable).hasSize(1);
    assertThat(durable.get(0).payload()).containsExactly(1);
    // The others never saw the failed entry: a round of nodes 2 and 3 chooses none of node 1's
    // entries (node 1 sent nothing after the failure, and its first entry was never sent).
    nodes.get(1).submit(new byte[] {7}).durable().get(5, TimeUnit.SECONDS);
    nodes.get(1).runRound().get(10, TimeUnit.SECONDS);
    List<Block> chosen = nodes.get(1).chosenBlocks(1, Integer.MAX_VALUE);
    assertThat(chosen).isNotEmpty();
    assertThat(chosen.stream().flatMap(b -> b.entries().stream()))
        .noneMatch(e -> e.origin() == 1);
  }
}
