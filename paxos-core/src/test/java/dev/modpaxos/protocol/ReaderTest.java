package dev.modpaxos.protocol;

import static dev.modpaxos.protocol.ManualCluster.ofType;
import static dev.modpaxos.protocol.ManualCluster.to;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.protocol.Message.ReadIndex;
import dev.modpaxos.protocol.Message.ReadIndexRequest;
import dev.modpaxos.spi.StoredState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** R19: linearizable reads by quorum read-index, driven by hand. */
class ReaderTest {
  private final ManualCluster c = new ManualCluster(3, RoundTrigger.ON_DEMAND, b -> b);

  private List<Long> readsReady(int id) {
    return c.readies(id).stream().flatMap(r -> r.readsReady().stream()).toList();
  }

  private List<Long> readsFailed(int id) {
    return c.readies(id).stream().flatMap(r -> r.readsFailed().stream()).toList();
  }

  private long read(int id) {
    long t = c.node(id).read();
    c.flush(id);
    return t;
  }

  /** Nodes 1 and 2 choose slot 1; node 3 hears nothing of it. */
  private void chooseSlotOneWithoutNodeThree() {
    c.submit(1, 7);
    c.runRound(1);
    c.drop(to(3)).deliver(to(3).negate());
    assertThat(c.node(1).committedSlot()).isEqualTo(1);
    assertThat(c.node(3).committedSlot()).isZero();
  }

  @Test
  void aReadAtANodeThatMissedACommitWaitsUntilItHasTheSlot() {
    chooseSlotOneWithoutNodeThree();
    c.forget();
    long t = read(3);
    // The probe reaches 1 and 2, whose answers say slot 1; node 3 must not serve slot 0.
    c.deliver(ofType(ReadIndexRequest.class).or(ofType(ReadIndex.class)));
    assertThat(readsReady(3)).doesNotContain(t);
    assertThat(c.node(3).readsPending()).isEqualTo(1);
    c.deliverAll(); // the catch-up node 3 asked for
    assertThat(c.node(3).committedSlot()).isEqualTo(1);
    assertThat(readsReady(3)).containsExactly(t);
    assertThat(c.node(3).readsPending()).isZero();
  }

  @Test
  void theBrokenVariantServesTheSameReadStale() {
    Replica broken =
        BrokenRules.readingWithoutQuorum(c.node(3).config(), StoredState.EMPTY, Boot.newCluster(3));
    c.put(broken);
    chooseSlotOneWithoutNodeThree();
    c.forget();
    long t = read(3);
    assertThat(readsReady(3)).containsExactly(t); // at slot 0, although slot 1 is chosen
    assertThat(c.node(3).committedSlot()).isZero();
  }

  @Test
  void readsOfOneBatchShareOneProbeAndLaterOnesWaitForTheNext() {
    c.forget();
    long a = c.node(2).read();
    long b = c.node(2).read();
    c.flush(2);
    assertThat(c.sentBy(2).stream().filter(m -> m instanceof ReadIndexRequest)).hasSize(2);
    long late = read(2); // the probe is out: this read began after it left
    assertThat(c.sentBy(2).stream().filter(m -> m instanceof ReadIndexRequest)).hasSize(2);
    c.deliver(m -> (m instanceof ReadIndexRequest rq && rq.probe() == 1)
        || (m instanceof ReadIndex ri && ri.probe() == 1));
    assertThat(readsReady(2)).containsExactly(a, b);
    // The batch that completed the first probe sent the next one, for the late read.
    assertThat(c.sentBy(2).stream().filter(m -> m instanceof ReadIndexRequest)).hasSize(4);
    c.deliverAll();
    assertThat(readsReady(2)).containsExactly(a, b, late);
    assertThat(c.sentBy(2).stream().filter(m -> m instanceof ReadIndexRequest)).hasSize(4);
  }

  @Test
  void aReadWithoutAMajorityIsRetriedThenFails() {
    c.forget();
    long t = read(1);
    c.drop(m -> true); // cut off
    int timeout = c.node(1).config().roundTimeoutTicks();
    for (int i = 0; i < timeout * Reader.READ_TIMEOUTS_MAX; i++) {
      c.tick(1);
      c.drop(to(1).negate());
    }
    long probes = c.sentBy(1).stream().filter(m -> m instanceof ReadIndexRequest).count();
    assertThat(probes).isGreaterThanOrEqualTo(2L * Reader.READ_TIMEOUTS_MAX);
    assertThat(readsReady(1)).isEmpty();
    assertThat(readsFailed(1)).containsExactly(t);
    assertThat(c.node(1).readsPending()).isZero();
  }

  @Test
  void anAnswerFromAnotherGenerationOrProbeDoesNotCount() {
    c.forget();
    long t = read(1);
    c.drop(m -> true);
    c.step(new ReadIndex(2, 1, 1, 0, 2)); // generation 2 is not node 2's current one
    c.step(new ReadIndex(3, 1, 99, 0, 1)); // another probe
    assertThat(readsReady(1)).isEmpty();
    c.step(new ReadIndex(2, 1, 1, 0, 1));
    assertThat(readsReady(1)).containsExactly(t); // 1 itself and 2: a majority
  }

  @Test
  void theIndexIsTheHighestVoteOfTheMajority() {
    // Node 2 holds a vote for slot 1 that is not chosen yet: a read at 1 must wait for slot 1.
    c.submit(1, 7);
    c.runRound(1);
    c.deliver(ofType(Message.Prepare.class).or(ofType(Message.Promise.class)));
    c.deliver(ofType(Message.Accept.class).and(to(2)));
    c.drop(ofType(Message.Accept.class).or(ofType(Message.Accepted.class)));
    assertThat(c.node(1).committedSlot()).isZero();
    c.forget();
    long t = read(3);
    c.deliver(ofType(ReadIndexRequest.class).and(to(2)).or(ofType(ReadIndexRequest.class).and(to(3))));
    c.deliver(ofType(ReadIndex.class));
    assertThat(readsReady(3)).doesNotContain(t);
  }
}
