package dev.modpaxos.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.modpaxos.local.ForwardingStore;
import dev.modpaxos.local.InMemoryStore;
import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.protocol.RoundTrigger;
import dev.modpaxos.protocol.Stamp;
import dev.modpaxos.spi.Application;
import dev.modpaxos.spi.StoreIdentity;
import dev.modpaxos.spi.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * PaxosNode's start-up, shutdown and failure handling, driven deterministically on a {@link
 * SimLoop} (a one-node cluster decides on its own, so no network is needed).
 */
class PaxosNodeLifecycleTest {
  private static final int TICKS_MAX = 1000;

  private final InMemoryStore memory = new InMemoryStore();
  private final ClosingStore store = new ClosingStore(memory);
  private final List<Long> applied = new ArrayList<>();

  private static ReplicaConfig soloConfig(int blockEntriesMax) {
    return ReplicaConfig.builder(1, List.of(1))
        .trigger(RoundTrigger.AUTO)
        .blockEntriesMax(blockEntriesMax)
        .build();
  }

  private PaxosNode.Builder solo(SimLoop loop, Application app) {
    return PaxosNode.builder(soloConfig(1))
        .transport(new NoTransport())
        .store(store)
        .application(app)
        .loop(loop);
  }

  /** A recording founding node of {@code config} on {@code loop}, not yet started. */
  private PaxosNode.Builder foundingSolo(NodeLoop loop, ReplicaConfig config) {
    return PaxosNode.builder(config)
        .transport(new NoTransport())
        .store(store)
        .application(recording())
        .loop(loop)
        .bootstrap(true);
  }

  private Application recording() {
    return (slot, block) -> applied.add(slot);
  }

  /** Ticks until {@code f} completes (a one-node cluster chooses by itself). */
  private static void tickUntilDone(SimLoop loop, CompletableFuture<?> f) {
    for (int t = 0; t < TICKS_MAX && !f.isDone() && loop.isRunning(); t++) {
      loop.tick();
    }
  }

  /** Runs a founding node until {@code entries} entries are chosen in as many slots, closes it. */
  private void chooseAndClose(int entries) {
    SimLoop loop = new SimLoop();
    PaxosNode n = solo(loop, (s, b) -> {}).bootstrap(true).build().start();
    for (int i = 0; i < entries; i++) {
      SubmitHandle h = n.submit(new byte[] {(byte) i});
      loop.runQueued();
      tickUntilDone(loop, h.chosen());
      assertThat(h.chosen()).isCompleted();
    }
    n.close();
    store.closes = 0;
  }

  @Test
  void configurationIsTheFoundingOneFromTheStartNotAnEmptyOne() {
    SimLoop loop = new SimLoop();
    PaxosNode n = solo(loop, recording()).bootstrap(true).build();
    assertThat(n.configuration().voters()).as("before start: nothing known").isEmpty();
    n.start();
    assertThat(n.configuration().voters()).as("R21: epoch 0, the founding members")
        .containsExactly(java.util.Map.entry(1, 1));
    assertThat(n.configuration().epoch()).isZero();
  }

  @Test
  void manyQueuedSubmitsAreCarriedOutInOneReadyWithOneSync() {
    SimLoop loop = new SimLoop();
    PaxosNode n = solo(loop, recording()).bootstrap(true).build().start();
    loop.runQueued(); // start-up's catch-up request
    long syncsBefore = memory.syncs();
    List<SubmitHandle> handles = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      handles.add(n.submit(new byte[] {(byte) i}));
    }
    assertThat(handles).noneMatch(h -> h.durable().isDone());

    loop.runQueued();

    assertThat(handles).allMatch(h -> h.durable().isDone());
    assertThat(memory.syncs() - syncsBefore).as("one Ready, one sync").isEqualTo(1);
    assertThat(n.localLog()).hasSize(10);
  }

  @Test
  void aSecondStartThrowsInsteadOfReplayingTheChosenBlocksAgain() {
    chooseAndClose(2);
    SimLoop loop = new SimLoop();
    PaxosNode n = solo(loop, recording()).build().start();
    assertThat(applied).containsExactly(1L, 2L);

    assertThatThrownBy(n::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already started");
    assertThat(applied).containsExactly(1L, 2L);
    assertThat(n.isRunning()).isTrue();
  }

  @Test
  void aPayloadOverBlockBytesMaxIsRefusedAtSubmitAndNothingIsLogged() {
    SimLoop loop = new SimLoop();
    PaxosNode n =
        foundingSolo(loop, ReplicaConfig.builder(1, List.of(1)).blockBytesMax(1024).build())
            .build()
            .start();
    loop.runQueued();
    long syncsBefore = memory.syncs();

    assertThatThrownBy(() -> n.submit(new byte[1025]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("node 1: a payload of 1025 bytes is over blockBytesMax (1024) and could never"
            + " be chosen; split it or raise blockBytesMax (below the transport's message limit)");
    loop.runQueued();
    assertThat(n.localLog()).isEmpty();
    assertThat(memory.syncs()).isEqualTo(syncsBefore);
    assertThat(n.isRunning()).isTrue();

    SubmitHandle atTheLimit = n.submit(new byte[1024]);
    loop.runQueued();
    tickUntilDone(loop, atTheLimit.chosen());
    assertThat(atTheLimit.chosen()).isCompleted();
    assertThat(applied).containsExactly(1L);
  }

  @Test
  void startFailsCleanlyWhenTheTransportCannotStart() {
    SimLoop loop = new SimLoop();
    NoTransport transport = new NoTransport();
    transport.refuse = "address 127.0.0.1:7001 already in use";
    PaxosNode n = solo(loop, recording()).transport(transport).bootstrap(true).build();

    assertThatThrownBy(n::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("node 1 did not start: address 127.0.0.1:7001 already in use");

    assertStoppedCleanly(n, loop);
    assertThat(transport.closed).isTrue();
  }

  @Test
  void startFailsCleanlyWhenTheReplicaRefusesTheStore() {
    SimLoop loop = new SimLoop();
    NoTransport transport = new NoTransport();
    PaxosNode n =
        solo(loop, recording())
            .transport(transport)
            .replicaFactory(
                (config, state, boot) -> {
                  throw new IllegalStateException("the store belongs to member 2 of cluster x");
                })
            .build();

    assertThatThrownBy(n::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("node 1 did not start: the store belongs to member 2 of cluster x");

    assertStoppedCleanly(n, loop);
    assertThat(transport.started).isFalse();
  }

  @Test
  void startRefusesAStoreOfAnotherMember() {
    memory.saveIdentity(new StoreIdentity("another-cluster", 2, 1, 0));
    memory.sync();
    SimLoop loop = new SimLoop();
    PaxosNode n = solo(loop, recording()).build();
    Throwable thrown = null;
    try {
      n.start();
    } catch (IllegalStateException e) {
      thrown = e;
    }
    assumeThat(thrown).as("the core refuses a store of another member (issue 10)").isNotNull();

    assertThat(thrown.getMessage()).startsWith("node 1 did not start: ").doesNotContain("\n");
    assertStoppedCleanly(n, loop);
  }

  private void assertStoppedCleanly(PaxosNode n, SimLoop loop) {
    assertThat(n.isRunning()).isFalse();
    assertThat(n.isVoting()).isFalse();
    assertThat(loop.isRunning()).as("loop").isFalse();
    assertThat(store.closes).as("store closed").isEqualTo(1);
    assertThatThrownBy(() -> n.submit(new byte[] {1})).isInstanceOf(NodeStoppedException.class);
    assertThat(n.runRound()).isCompletedExceptionally();
    assertThatThrownBy(n::start).isInstanceOf(IllegalStateException.class);
    n.close();
    assertThat(store.closes).as("closed once").isEqualTo(1);
  }

  @Test
  void anApplicationThatThrowsStopsTheNodeAndNothingLaterIsApplied() {
    SimLoop loop = new SimLoop();
    PaxosNode n =
        solo(
                loop,
                (slot, block) -> {
                  applied.add(slot);
                  if (slot == 2) {
                    throw new IllegalArgumentException("cannot decode transfer");
                  }
                })
            .bootstrap(true)
            .build()
            .start();
    SubmitHandle first = n.submit(new byte[] {1});
    loop.runQueued();
    tickUntilDone(loop, first.chosen());
    SubmitHandle second = n.submit(new byte[] {2});
    SubmitHandle third = n.submit(new byte[] {3});
    loop.runQueued();
    tickUntilDone(loop, third.chosen());

    assertThat(first.chosen().join()).isEqualTo(1);
    assertThat(applied).containsExactly(1L, 2L);
    assertThat(n.isRunning()).isFalse();
    assertThatThrownBy(() -> second.chosen().join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOf(NodeStoppedException.class)
        .hasMessageContaining("node 1 stopped")
        .hasMessageContaining("slot 2")
        .hasMessageContaining("cannot decode transfer");
    assertThat(third.chosen()).isCompletedExceptionally();
    assertThatThrownBy(() -> n.submit(new byte[] {4}))
        .isInstanceOf(NodeStoppedException.class)
        .hasMessageContaining("slot 2");
    for (int t = 0; t < 10; t++) {
      loop.tick();
    }
    assertThat(applied).containsExactly(1L, 2L);
  }

  /**
   * A store that cannot persist (a full disk: a StoreException, or the InternalError the JVM
   * raises for a SIGBUS in a mapped file) stops the node: the submit is neither durable nor
   * chosen, and the node says why in one line, in its futures and in {@code notVotingReason}.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
  void aStoreThatCannotPersistStopsTheNodeWithItsReasonAndAcknowledgesNothing(boolean error) {
    SimLoop loop = new SimLoop();
    PaxosNode n = foundingSolo(loop, soloConfig(1)).build().start();
    SubmitHandle first = n.submit(new byte[] {1});
    loop.runQueued();
    tickUntilDone(loop, first.chosen());
    String reason = "cannot open map file chosen-5.cm: the disk is full (No space left on device)";
    store.syncFailure = error
        ? new InternalError("a fault occurred in an unsafe memory access operation")
        : new dev.modpaxos.spi.StoreException(reason);
    SubmitHandle second = n.submit(new byte[] {2});
    loop.runQueued();
    tickUntilDone(loop, second.chosen());

    String why = error ? "a fault occurred in an unsafe memory access operation" : reason;
    assertThat(second.durable()).isCompletedExceptionally();
    assertThat(second.chosen()).isCompletedExceptionally();
    assertThatThrownBy(() -> second.durable().join()).cause()
        .isInstanceOf(NodeStoppedException.class).hasMessage("node 1 stopped: " + why);
    assertThat(applied).containsExactly(1L);
    assertThat(n.isRunning()).isFalse();
    assertThat(n.notVotingReason()).isEqualTo("node 1 is not running: " + why);
    assertThatThrownBy(() -> n.submit(new byte[] {3})).isInstanceOf(NodeStoppedException.class)
        .hasMessage("node 1 is not running: " + why);
    n.close();
    assertThat(store.closes).as("store closed").isEqualTo(1);
  }

  @Test
  void anApplicationThatThrowsDuringReplayFailsTheStartAndAppliesNothingLater() {
    chooseAndClose(3);
    SimLoop loop = new SimLoop();
    PaxosNode n =
        solo(
                loop,
                (slot, block) -> {
                  applied.add(slot);
                  if (slot == 2) {
                    throw new IllegalArgumentException("cannot decode transfer");
                  }
                })
            .build();

    assertThatThrownBy(n::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("slot 2")
        .hasMessageContaining("cannot decode transfer");
    assertThat(applied).containsExactly(1L, 2L);
    assertThat(store.closes).isEqualTo(1);
  }

  @Test
  void aSubmitOrRoundThatRacesCloseNeverLeavesItsFuturesPending() {
    SimLoop sim = new SimLoop();
    ClosingLoop loop = new ClosingLoop(sim);
    PaxosNode n =
        foundingSolo(loop, soloConfig(1).toBuilder().trigger(RoundTrigger.ON_DEMAND).build())
            .build()
            .start();
    sim.runQueued();
    SubmitHandle queued = n.submit(new byte[] {1});
    CompletableFuture<Void> queuedRound = n.runRound();

    loop.closeOnNextExecute = n; // close() lands between submit's checks and its enqueue
    SubmitHandle racing = null;
    try {
      racing = n.submit(new byte[] {2});
    } catch (NodeStoppedException refused) {
      // refused outright: fine, nothing to wait for
    }
    loop.closeOnNextExecute = null;

    assertThat(queued.durable()).isCompletedExceptionally();
    assertThat(queued.chosen()).isCompletedExceptionally();
    assertThat(queuedRound).isCompletedExceptionally();
    if (racing != null) {
      assertThat(racing.durable()).isCompletedExceptionally();
      assertThat(racing.chosen()).isCompletedExceptionally();
    }
    assertThat(n.runRound()).isCompletedExceptionally();
    assertThatThrownBy(() -> queued.chosen().join()).cause().isInstanceOf(NodeStoppedException.class);
  }

  @Test
  void aFoundingMemberVotes() {
    PaxosNode n = solo(new SimLoop(), recording()).bootstrap(true).build().start();
    assertThat(n.isVoting()).isTrue();
    assertThat(n.notVotingReason()).isNull();
  }

  @Test
  void aNonVotingNodeRefusesSubmitsAndRoundsWithItsReason() {
    SimLoop loop = new SimLoop();
    PaxosNode n = solo(loop, recording()).build().start(); // empty store, not bootstrapping
    loop.runQueued();
    assumeThat(n.isVoting())
        .as("an empty store of an existing member starts a learner (issue 10)")
        .isFalse();

    String reason = n.notVotingReason();
    assertThat(reason).isNotBlank();
    assertThat(n.isRunning()).isTrue();
    assertThatThrownBy(() -> n.submit(new byte[] {1}))
        .isInstanceOf(NotVotingException.class)
        .hasMessage(reason);
    assertThatThrownBy(() -> n.runRound().join())
        .cause()
        .isInstanceOf(NotVotingException.class)
        .hasMessage(reason);
    assertThat(n.localLog()).isEmpty();
  }

  /** A NodeLoop that can close its node just before it queues the next task: the close race. */
  private static final class ClosingLoop implements NodeLoop {
    private final SimLoop inner;
    PaxosNode closeOnNextExecute;

    ClosingLoop(SimLoop inner) {
      this.inner = inner;
    }

    @Override
    public void start(Work work) {
      inner.start(work);
    }

    @Override
    public boolean execute(Runnable task) {
      PaxosNode n = closeOnNextExecute;
      if (n != null) {
        closeOnNextExecute = null;
        n.close();
      }
      return inner.execute(task);
    }

    @Override
    public int queued() {
      return inner.queued();
    }

    @Override
    public boolean inLoop() {
      return inner.inLoop();
    }

    @Override
    public void stop() {
      inner.stop();
    }

    @Override
    public long nanoTime() {
      return inner.nanoTime();
    }
  }

  /** A transport to nowhere (a one-node cluster sends nothing), optionally failing to start. */
  private static final class NoTransport implements Transport {
    String refuse;
    boolean started;
    boolean closed;

    @Override
    public void start(Inbound inbound) {
      if (refuse != null) {
        throw new IllegalStateException(refuse);
      }
      started = true;
    }

    @Override
    public void send(Stamp stamp, Message message) {}

    @Override
    public void close() {
      closed = true;
    }
  }

  /** An InMemoryStore that counts its closes, and survives them (it syncs, as on shutdown). */
  private static final class ClosingStore extends ForwardingStore {
    int closes;
    // Thrown by every sync() while set: a store that cannot persist (a full disk, say).
    Throwable syncFailure;

    ClosingStore(InMemoryStore inner) {
      super(inner);
    }

    @Override
    public void sync() {
      if (syncFailure instanceof RuntimeException e) {
        throw e;
      } else if (syncFailure instanceof Error e) {
        throw e;
      }
      super.sync();
    }

    @Override
    public void close() {
      closes++;
      super.close();
    }
  }
}
