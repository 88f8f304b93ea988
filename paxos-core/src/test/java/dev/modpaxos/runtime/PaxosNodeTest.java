package dev.modpaxos.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modpaxos.local.InMemoryStore;
import dev.modpaxos.local.LocalNetwork;
import dev.modpaxos.local.NetworkFaults;
import dev.modpaxos.local.FaultInjectingTransport;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.protocol.RoundTrigger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PaxosNodeTest {
  private final List<PaxosNode> nodes = new ArrayList<>();
  private final List<InMemoryStore> stores = new ArrayList<>();
  private final List<List<Long>> applied = new ArrayList<>();
  private final LocalNetwork network = new LocalNetwork();
  private final NetworkFaults faults = new NetworkFaults(7);

  private void startCluster(int n, RoundTrigger trigger) {
    List<Integer> members = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      members.add(i);
    }
    for (int i = 1; i <= n; i++) {
      stores.add(new InMemoryStore());
      applied.add(new CopyOnWriteArrayList<>());
      nodes.add(null);
      start(i, members, trigger, true);
    }
  }

  private void start(int id, List<Integer> members, RoundTrigger trigger, boolean bootstrap) {
    List<Long> slots = applied.get(id - 1);
    slots.clear();
    PaxosNode node =
        PaxosNode.builder(ReplicaConfig.builder(id, members).trigger(trigger).build())
            .transport(new FaultInjectingTransport(id, network.transport(id), faults))
            .store(stores.get(id - 1))
            .application((slot, block) -> slots.add(slot))
            .tickMillis(5)
            .bootstrap(bootstrap)
            .build()
            .start();
    nodes.set(id - 1, node);
  }

  @AfterEach
  void stop() {
    nodes.forEach(n -> n.close());
  }

  @Test
  void autoModeChoosesEverySubmitOnEveryNode() throws Exception {
    startCluster(3, RoundTrigger.AUTO);
    List<SubmitHandle> handles = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      handles.add(nodes.get(i % 3).submit(("tx" + i).getBytes(StandardCharsets.UTF_8)));
    }
    for (SubmitHandle h : handles) {
      assertThat(h.durable().get(5, TimeUnit.SECONDS)).isNotNull();
      assertThat(h.chosen().get(10, TimeUnit.SECONDS)).isPositive();
    }
    long committed = nodes.get(0).committedSlot();
    List<Block> blocks = nodes.get(0).chosenBlocks(1, Integer.MAX_VALUE);
    assertThat(blocks.stream().mapToInt(Block::size).sum()).isEqualTo(30);
    for (PaxosNode n : nodes) {
      awaitCommitted(n, committed);
      assertThat(n.chosenBlocks(1, Integer.MAX_VALUE)).isEqualTo(blocks);
      assertThat(n.localLog()).isEmpty();
    }
    NodeMetrics m = nodes.get(0).metrics();
    assertThat(m.chosenEntries()).isEqualTo(30);
  }

  @Test
  void aLeaderReservesIdsAheadAndACleanStopClearsItsIdFloorAfterASync() throws Exception {
    List<Integer> members = List.of(1, 2, 3);
    List<String> writes = new CopyOnWriteArrayList<>();
    InMemoryStore inner = new InMemoryStore();
    dev.modpaxos.spi.Store recording =
        new dev.modpaxos.local.ForwardingStore(inner) {
          @Override
          public void saveIdFloor(dev.modpaxos.spi.IdFloor floor) {
            writes.add("floor " + floor.from() + " " + floor.until());
            super.saveIdFloor(floor);
          }

          @Override
          public void sync() {
            writes.add("sync");
            super.sync();
          }
        };
    for (int i = 1; i <= 3; i++) {
      stores.add(i == 1 ? inner : new InMemoryStore());
      applied.add(new CopyOnWriteArrayList<>());
      nodes.add(null);
    }
    for (int i = 2; i <= 3; i++) {
      start(i, members, RoundTrigger.AUTO, true);
    }
    PaxosNode one =
        PaxosNode.builder(ReplicaConfig.builder(1, members).trigger(RoundTrigger.AUTO).build())
            .transport(network.transport(1))
            .store(recording)
            .application((slot, block) -> { })
            .tickMillis(5)
            .bootstrap(true)
            .build()
            .start();
    nodes.set(0, one);
    one.transferLeadership(1);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!one.isLeader() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(one.isLeader()).isTrue();
    for (int round = 0; round < 20; round++) {
      List<SubmitHandle> handles = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        handles.add(one.submit(new byte[] {(byte) i}));
      }
      for (SubmitHandle h : handles) {
        h.chosen().get(10, TimeUnit.SECONDS);
      }
    }
    assertThat(writes).as("a leader sending its own entries reserved ids first")
        .anyMatch(w -> w.startsWith("floor ") && !w.equals("floor 0 0"));
    one.close();
    assertThat(writes.subList(writes.size() - 2, writes.size()))
        .as("a clean stop syncs, then clears the floor (the close syncs it)")
        .containsExactly("sync", "floor 0 0");
    assertThat(inner.load().idFloor()).isEqualTo(dev.modpaxos.spi.IdFloor.NONE);
  }

  @Test
  void onDemandRoundCollectsEveryReachableLocalLog() throws Exception {
    startCluster(5, RoundTrigger.ON_DEMAND);
    for (int i = 0; i < 5; i++) {
      nodes.get(i).submit(new byte[] {(byte) i}).durable().get(5, TimeUnit.SECONDS);
    }
    Thread.sleep(100);
    assertThat(nodes.get(0).committedSlot()).isZero(); // on demand: nothing runs by itself
    nodes.get(0).runRound().get(10, TimeUnit.SECONDS);
    List<Block> blocks = nodes.get(0).chosenBlocks(1, 10);
    assertThat(blocks).hasSize(1);
    assertThat(blocks.get(0).size()).isEqualTo(5);
  }

  @Test
  void roundWithoutMajorityFailsAndCommitsNothing() {
    startCluster(5, RoundTrigger.ON_DEMAND);
    faults.disconnect(3);
    faults.disconnect(4);
    faults.disconnect(5);
    nodes.get(0).submit(new byte[] {1});
    assertThatThrownBy(() -> nodes.get(0).runRound().join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(RoundFailedException.class);
    assertThat(nodes.get(0).committedSlot()).isZero();
    assertThat(nodes.get(0).localLog()).hasSize(1);
  }

  @Test
  void restartedNodeKeepsItsLogAndCatchesUp() throws Exception {
    startCluster(3, RoundTrigger.AUTO);
    nodes.get(2).submit(new byte[] {9}).chosen().get(10, TimeUnit.SECONDS);
    nodes.get(2).close();
    for (int i = 0; i < 5; i++) {
      nodes.get(0).submit(new byte[] {(byte) i}).chosen().get(10, TimeUnit.SECONDS);
    }
    long committed = nodes.get(0).committedSlot();
    start(3, List.of(1, 2, 3), RoundTrigger.AUTO, false);
    assertThat(nodes.get(2).isVoting()).as("an intact store resumes voting").isTrue();
    awaitCommitted(nodes.get(2), committed);
    assertThat(nodes.get(2).chosenBlocks(1, 100)).isEqualTo(nodes.get(0).chosenBlocks(1, 100));
  }

  @Test
  void submitFailsFastWhenTheLocalLogIsFull() throws Exception {
    stores.add(new InMemoryStore());
    PaxosNode node =
        PaxosNode.builder(
                ReplicaConfig.builder(1, List.of(1, 2, 3)).trigger(RoundTrigger.ON_DEMAND).build())
            .transport(network.transport(1))
            .store(stores.get(0))
            .application((s, b) -> {})
            .localLogEntriesMax(2)
            .bootstrap(true)
            .build()
            .start();
    nodes.add(node);
    node.submit(new byte[] {1}).durable().get(5, TimeUnit.SECONDS);
    node.submit(new byte[] {2}).durable().get(5, TimeUnit.SECONDS);
    assertThatThrownBy(() -> node.submit(new byte[] {3}))
        .isInstanceOf(BackPressureException.class)
        .hasMessageContaining("local log holds 2 entries");
  }

  /**
   * The loop's own thread (in apply and in a non-async future callback) may query its node: the
   * queries answer at once. They used to queue behind the loop's current work, which was the
   * caller itself, and throw after 10 s on a healthy node.
   */
  @Test
  void queriesFromApplyAndFromCallbacksAnswerAtOnceOnTheLoop() throws Exception {
    AtomicReference<PaxosNode> self = new AtomicReference<>();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    List<String> seen = new CopyOnWriteArrayList<>();
    PaxosNode node =
        PaxosNode.builder(
                ReplicaConfig.builder(1, List.of(1)).trigger(RoundTrigger.AUTO).build())
            .transport(network.transport(1))
            .store(new InMemoryStore())
            .application(
                (slot, block) -> {
                  try {
                    PaxosNode n = self.get();
                    seen.add("apply " + slot + " chosen=" + n.chosenBlocks(slot, 1).size()
                        + " local=" + n.localLog().size() + " leader=" + n.isLeader()
                        + " committed>=" + (n.committedSlot() >= slot)
                        + " metrics=" + (n.metrics().nodeId() == 1));
                  } catch (RuntimeException e) {
                    errors.add(e);
                  }
                })
            .bootstrap(true)
            .build();
    self.set(node);
    nodes.add(node);
    node.start();

    CompletableFuture<String> inCallback =
        node.submit(new byte[] {1})
            .chosen()
            .thenApply(
                slot -> "callback committed=" + node.committedSlot() + " chosen="
                    + node.chosenBlocks(1, 10).size() + " local=" + node.localLog().size()
                    + " leader=" + node.isLeader() + " metrics=" + node.metrics().chosenEntries());

    assertThat(inCallback.get(30, TimeUnit.SECONDS))
        .isEqualTo("callback committed=1 chosen=1 local=0 leader=true metrics=1");
    assertThat(errors).isEmpty();
    assertThat(seen)
        .containsExactly("apply 1 chosen=1 local=0 leader=true committed>=true metrics=true");
  }

  /**
   * Submits and rounds racing a close from several threads: every handle that submit returned
   * and every round future settles, none is left pending.
   */
  @Test
  void closeWhileThreadsSubmitLeavesNoFuturePending() throws Exception {
    PaxosNode node =
        PaxosNode.builder(
                ReplicaConfig.builder(1, List.of(1, 2, 3)).trigger(RoundTrigger.ON_DEMAND).build())
            .transport(network.transport(1))
            .store(new InMemoryStore())
            .application((s, b) -> {})
            .bootstrap(true)
            .build()
            .start();
    nodes.add(node);
    List<CompletableFuture<?>> futures = new CopyOnWriteArrayList<>();
    CountDownLatch some = new CountDownLatch(200);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; ; i++) {
                  try {
                    SubmitHandle h = node.submit(new byte[] {(byte) i});
                    futures.add(h.durable());
                    futures.add(h.chosen());
                    futures.add(node.runRound());
                  } catch (NodeStoppedException stopped) {
                    return;
                  }
                  some.countDown();
                }
              });
      threads.add(thread);
      thread.start();
    }
    assertThat(some.await(30, TimeUnit.SECONDS)).isTrue();
    node.close();
    for (Thread thread : threads) {
      thread.join(TimeUnit.SECONDS.toMillis(30));
      assertThat(thread.isAlive()).isFalse();
    }

    assertThat(futures).isNotEmpty().allMatch(CompletableFuture::isDone);
  }

  private static void awaitCommitted(PaxosNode n, long slot) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (n.committedSlot() < slot && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(n.committedSlot()).isGreaterThanOrEqualTo(slot);
  }
}
