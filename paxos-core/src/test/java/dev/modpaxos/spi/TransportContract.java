package dev.modpaxos.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.abort;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.Stamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Transport} must show, written once and run against each
 * implementation (as Ratis's {@code RaftBasicTests<CLUSTER>}): delivery, no ordering assumed, an
 * unreachable peer, a peer restart, and, for transports that can express them, an oversized
 * message, a non-member and an authenticated peer claiming another sender.
 *
 * <p>A subclass says how to make a transport for each of {@link #MEMBERS}; the optional hooks
 * default to skipping their test through an assumption. Waiting for a delivery polls with a
 * deadline, since a real transport delivers on its own threads.
 */
public abstract class TransportContract {
  /** The cluster every test runs: three members. */
  protected static final List<Integer> MEMBERS = List.of(1, 2, 3);

  /** The stamp the tests send with; a transport carries it unchanged (R2). */
  protected static final Stamp STAMP = new Stamp(Stamp.clusterFingerprint("contract", MEMBERS), 0);

  private static final long WAIT_MILLIS = 15_000;

  private final Map<Integer, Transport> running = new HashMap<>();
  private final Map<Integer, ConcurrentLinkedQueue<Message>> inboxes = new HashMap<>();
  private final Map<Integer, ConcurrentLinkedQueue<Stamp>> stamps = new HashMap<>();
  private final List<Transport> extras = new ArrayList<>();

  /**
   * A new, unstarted transport for member {@code nodeId}. Called again for the same id after its
   * previous transport was closed: that is a restart, on the same address where addresses exist.
   */
  protected abstract Transport newTransport(int nodeId);

  /**
   * A new, unstarted transport for node {@code nodeId}, which is not in {@link #MEMBERS} but can
   * address them. Default: the transport cannot express a non-member, and the test is skipped.
   */
  protected Transport newNonMemberTransport(int nodeId) {
    return abort("this transport has no notion of membership");
  }

  /**
   * A new, unstarted transport that the network authenticates as member {@code authenticatedId}
   * but whose messages claim to come from member {@code claimedId}. Default: skipped.
   */
  protected Transport newImpostorTransport(int claimedId, int authenticatedId) {
    return abort("this transport does not authenticate senders");
  }

  /** The largest message this transport carries, in bytes of payload. Default: skipped. */
  protected int messageBytesMax() {
    return abort("this transport has no message size limit");
  }

  // ---- the contract -------------------------------------------------------------------------

  @Test
  void deliversAMessageToItsAddressee() {
    startAll();
    Message m = accepted(1, 2, 7);
    transport(1).send(STAMP, m);
    awaitTrue(() -> inbox(2).contains(m), "node 2 receives " + m);
    assertThat(inbox(3)).isEmpty();
    assertThat(inbox(1)).isEmpty();
  }

  @Test
  void deliversTheSendersStampUnchanged() {
    startAll();
    Stamp other = new Stamp(0x8000_0000_0000_0001L, 41); // another cluster's: the node decides
    Message m = accepted(1, 2, 8);
    transport(1).send(other, m);
    awaitTrue(() -> inbox(2).contains(m), "node 2 receives " + m);
    assertThat(stamps.get(2)).containsExactly(other);
  }

  @Test
  void knowsEveryMemberIfItKnowsItsPeersAtAll() {
    for (int id : MEMBERS) {
      Transport t = newTransport(id);
      extras.add(t);
      if (t.peers() != null) {
        assertThat(t.peers()).as("peers of node %d", id).containsAll(MEMBERS);
      }
    }
  }

  @Test
  void deliversEveryMessageFromConcurrentSendersInAnyOrder() throws Exception {
    startAll();
    int perSender = 100;
    Set<Message> expected = new HashSet<>();
    List<Thread> senders = new ArrayList<>();
    for (int from : List.of(1, 3)) {
      List<Message> batch = new ArrayList<>();
      for (int i = 1; i <= perSender; i++) {
        batch.add(accepted(from, 2, i));
      }
      expected.addAll(batch);
      Thread t = new Thread(() -> batch.forEach(m -> transport(from).send(STAMP, m)));
      senders.add(t);
      t.start();
    }
    for (Thread t : senders) {
      t.join(WAIT_MILLIS);
    }
    awaitTrue(() -> inbox(2).size() >= expected.size(), "node 2 receives " + expected.size());
    assertThat(new HashSet<>(inbox(2))).isEqualTo(expected); // a set: no order is assumed
  }

  @Test
  void sendToAnUnreachablePeerReturnsAndDropsTheMessage() {
    start(1);
    start(2);
    assertTimeoutPreemptively( // a guard against a blocking send, not a performance bound
        Duration.ofSeconds(10),
        () -> {
          for (int i = 1; i <= 50; i++) {
            transport(1).send(STAMP, accepted(1, 3, i)); // 3 was never started
            transport(1).send(STAMP, accepted(1, 42, i)); // 42 is no node at all
          }
        });
    Message m = accepted(1, 2, 1);
    transport(1).send(STAMP, m);
    awaitTrue(() -> inbox(2).contains(m), "node 2 still receives");
    if (keepsStats(transport(1))) {
      awaitTrue(() -> errors(transport(1)) >= 100, "the dropped sends are counted");
    }
  }

  @Test
  void deliveryResumesAfterThePeerRestarts() {
    startAll();
    Message before = accepted(1, 2, 1);
    transport(1).send(STAMP, before);
    awaitTrue(() -> inbox(2).contains(before), "node 2 receives before the restart");
    stop(2);
    for (int i = 2; i <= 10; i++) {
      transport(1).send(STAMP, accepted(1, 2, i)); // lost or delayed: both are allowed
    }
    start(2);
    long slot = 100;
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
    while (inbox(2).stream().noneMatch(m -> ((Message.Accepted) m).slot() >= 100)
        && System.nanoTime() < deadline) {
      transport(1).send(STAMP, accepted(1, 2, slot++)); // the channel may need to reconnect
      sleepMillis(50);
    }
    assertThat(inbox(2)).anyMatch(m -> ((Message.Accepted) m).slot() >= 100);
  }

  @Test
  void anOversizedMessageIsRejectedAndTheNodeKeepsWorking() {
    int bytesMax = messageBytesMax();
    startAll();
    Message big = new Message.Forward(1, 2, List.of(new Entry(1, 1, new byte[bytesMax + 1])));
    long errorsBefore = errors(transport(1)) + errors(transport(2));
    transport(1).send(STAMP, big);
    awaitTrue(
        () -> errors(transport(1)) + errors(transport(2)) > errorsBefore,
        "the oversized message is counted as an error");
    assertWorksAfterRejecting(big);
  }

  @Test
  void aNonMemberIsRejectedAndTheNodeKeepsWorking() {
    assertRefusedByNodeOne(newNonMemberTransport(99), accepted(99, 1, 5));
  }

  @Test
  void aPeerClaimingAnotherSenderIsRejectedAndTheNodeKeepsWorking() {
    assertRefusedByNodeOne(newImpostorTransport(3, 2), accepted(3, 1, 5));
  }

  @Test
  void closeIsIdempotentAndSendAfterCloseDoesNotThrow() {
    startAll();
    Transport t = transport(1);
    t.close();
    t.close();
    t.send(STAMP, accepted(1, 2, 1));
  }

  // ---- helpers ------------------------------------------------------------------------------

  /** Node 1 counts {@code m} from {@code rogue} as an error, and keeps working. */
  private void assertRefusedByNodeOne(Transport rogue, Message m) {
    startAll();
    extras.add(rogue);
    rogue.start((stamp, received) -> {});
    long errorsBefore = errors(transport(1));
    rogue.send(STAMP, m);
    awaitTrue(() -> errors(transport(1)) > errorsBefore, "node 1 counts the rejection");
    assertWorksAfterRejecting(m);
  }

  /** The rejected message never reached any member, and a valid one still gets through. */
  private void assertWorksAfterRejecting(Message rejected) {
    Message ok = accepted(2, 1, 1000);
    transport(2).send(STAMP, ok);
    awaitTrue(() -> inbox(1).contains(ok), "node 1 still receives from node 2");
    for (int id : MEMBERS) {
      assertThat(inbox(id)).doesNotContain(rejected);
    }
  }

  protected static Message accepted(int from, int to, long slot) {
    return new Message.Accepted(from, to, new Ballot(1, from), slot);
  }

  private void startAll() {
    MEMBERS.forEach(this::start);
  }

  private void start(int id) {
    Transport t = newTransport(id);
    ConcurrentLinkedQueue<Message> inbox = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Stamp> stamped = new ConcurrentLinkedQueue<>();
    running.put(id, t);
    inboxes.put(id, inbox);
    stamps.put(id, stamped);
    t.start((stamp, m) -> {
      stamped.add(stamp);
      inbox.add(m);
    });
  }

  private void stop(int id) {
    running.remove(id).close();
  }

  private Transport transport(int id) {
    return running.get(id);
  }

  private ConcurrentLinkedQueue<Message> inbox(int id) {
    return inboxes.get(id);
  }

  private static boolean keepsStats(Transport t) {
    return !t.rpcStats().isEmpty();
  }

  private static long errors(Transport t) {
    return t.rpcStats().stream().mapToLong(RpcStats::errors).sum();
  }

  private static void awaitTrue(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      sleepMillis(5);
    }
    assertThat(condition.getAsBoolean()).as(what).isTrue();
  }

  private static void sleepMillis(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @AfterEach
  void closeAll() {
    running.values().forEach(Transport::close);
    extras.forEach(Transport::close);
    running.clear();
    extras.clear();
  }
}
