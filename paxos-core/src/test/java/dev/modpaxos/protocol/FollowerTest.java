package dev.modpaxos.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.protocol.Message.Commit;
import dev.modpaxos.protocol.Message.Forward;
import dev.modpaxos.protocol.Message.Prepare;
import dev.modpaxos.protocol.Message.Promise;
import dev.modpaxos.spi.StoredState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * R13 in AUTO mode from a follower's side: it forwards its local log to the owner of its promised
 * ballot, re-sends it every forward interval, and takes over with a PREPARE only after its own
 * entries waited more than two round timeouts without progress.
 */
class FollowerTest {
  private static final List<Integer> MEMBERS = List.of(1, 2, 3);
  private static final int ROUND_TIMEOUT = 10;
  private static final int FORWARD_INTERVAL = 5;

  private final Replica r =
      new Replica(
          ReplicaConfig.builder(3, MEMBERS)
              .trigger(RoundTrigger.AUTO)
              .roundTimeoutTicks(ROUND_TIMEOUT)
              .forwardIntervalTicks(FORWARD_INTERVAL)
              .build(),
          StoredState.EMPTY);

  /** Node 3 promises node 1's ballot, so node 1 is the leader it forwards to. */
  FollowerTest() {
    r.step(new Prepare(1, 3, new Ballot(1, 1), 0));
    r.ready();
  }

  private Entry submit(int payload) {
    EntryId id = r.submit(new byte[] {(byte) payload});
    return r.localLog().stream().filter(e -> e.id().equals(id)).findFirst().orElseThrow();
  }

  private List<Message> tick() {
    r.tick();
    return r.ready().allMessages();
  }

  private static List<Forward> forwards(List<Message> ms) {
    return ms.stream().filter(m -> m instanceof Forward).map(m -> (Forward) m).toList();
  }

  private static boolean prepares(List<Message> ms) {
    return ms.stream().anyMatch(m -> m instanceof Prepare);
  }

  /** Ticks until the first tick whose batch holds a PREPARE; returns that tick's time, or -1. */
  private long ticksUntilPrepare(int max) {
    for (int i = 0; i < max; i++) {
      if (prepares(tick())) {
        return r.now();
      }
    }
    return -1;
  }

  @Test
  void newEntriesAreForwardedOnceEach() {
    Entry a = submit(1);
    assertThat(forwards(r.ready().allMessages())).containsExactly(new Forward(3, 1, List.of(a)));
    Entry b = submit(2);
    assertThat(forwards(r.ready().allMessages())).containsExactly(new Forward(3, 1, List.of(b)));
  }

  @Test
  void pendingEntriesAreForwardedAgainEveryForwardInterval() {
    Entry a = submit(1);
    r.ready();
    List<Long> forwardedAt = new ArrayList<>();
    for (int t = 1; t <= 2 * FORWARD_INTERVAL; t++) {
      List<Forward> fs = forwards(tick());
      if (!fs.isEmpty()) {
        assertThat(fs).containsExactly(new Forward(3, 1, List.of(a)));
        forwardedAt.add(r.now());
      }
    }
    assertThat(forwardedAt).containsExactly(5L, 10L);
  }

  @Test
  void entriesGoToANewLeaderAtOnce() {
    Entry a = submit(1);
    r.ready();
    r.step(new Prepare(2, 3, new Ballot(2, 2), 0));
    List<Message> ms = r.ready().allMessages();
    assertThat(ms).anyMatch(m -> m instanceof Promise);
    assertThat(forwards(ms)).containsExactly(new Forward(3, 2, List.of(a)));
  }

  @Test
  void followerTakesOverOnlyAfterTwoRoundTimeoutsWithoutProgress() {
    for (int i = 0; i < 30; i++) {
      tick();
    }
    submit(1);
    r.ready();
    assertThat(ticksUntilPrepare(40)).isEqualTo(30 + 2 * ROUND_TIMEOUT + 1);
  }

  @Test
  void waitingCountsFromTheOldestPendingEntry() {
    submit(1);
    r.ready();
    for (int i = 0; i < ROUND_TIMEOUT; i++) {
      tick();
    }
    submit(2);
    r.ready();
    assertThat(ticksUntilPrepare(40)).isEqualTo(2 * ROUND_TIMEOUT + 1);
  }

  @Test
  void otherNodesBlocksBeingChosenDoNotPostponeTheTakeOver() {
    submit(1);
    r.ready();
    for (int i = 0; i < 15; i++) {
      tick();
    }
    r.step(new Commit(1, 3, 1, new Block(List.of(new Entry(1, 1, new byte[] {9})))));
    r.ready();
    assertThat(ticksUntilPrepare(40)).isEqualTo(2 * ROUND_TIMEOUT + 1);
  }

  @Test
  void ownEntryBeingChosenRestartsTheWaitForTheRest() {
    Entry a = submit(1);
    submit(2);
    r.ready();
    for (int i = 0; i < 15; i++) {
      tick();
    }
    r.step(new Commit(1, 3, 1, new Block(List.of(a))));
    r.ready();
    assertThat(ticksUntilPrepare(40)).isEqualTo(15 + 2 * ROUND_TIMEOUT + 1);
  }

  @Test
  void waitStartsAfreshForAnEntrySubmittedAfterAllEarlierOnesWereChosen() {
    Entry a = submit(1);
    r.ready();
    for (int i = 0; i < 5; i++) {
      tick();
    }
    r.step(new Commit(1, 3, 1, new Block(List.of(a))));
    r.ready();
    for (int i = 0; i < 25; i++) {
      tick();
    }
    submit(2);
    r.ready();
    assertThat(ticksUntilPrepare(40)).isEqualTo(30 + 2 * ROUND_TIMEOUT + 1);
  }

  @Test
  void pooledMembershipChangeAlsoStartsTheWait() {
    r.step(new Forward(2, 3, List.of(new Readmission(2, 9, 1).toEntry())));
    r.ready();
    for (int i = 0; i < ROUND_TIMEOUT; i++) {
      tick();
    }
    // Another nonce: a request's id derives from its nonce and the generation it replaces.
    r.step(new Forward(1, 3, List.of(new Readmission(1, 10, 1).toEntry())));
    r.ready();
    assertThat(ticksUntilPrepare(40)).isEqualTo(2 * ROUND_TIMEOUT + 1);
  }

  @Test
  void nodeThatLostToANewLeaderForwardsToItInsteadOfCampaigning() {
    Replica n1 = lostRoundAgainstNodeTwo();
    Entry a = n1.localLog().get(0);
    List<Message> sent = new ArrayList<>();
    for (int i = 0; i < 2 * ROUND_TIMEOUT; i++) { // back-off ends, take-over is not yet due
      n1.tick();
      sent.addAll(n1.ready().allMessages());
    }
    assertThat(prepares(sent)).isFalse();
    assertThat(forwards(sent)).contains(new Forward(1, 2, List.of(a)));
  }

  @Test
  void nodeWhoseEntriesWereChosenDuringItsBackOffNeverCampaignsForNothing() {
    Replica n1 = lostRoundAgainstNodeTwo();
    n1.step(new Commit(2, 1, 1, new Block(n1.localLog())));
    n1.ready();
    List<Message> sent = new ArrayList<>();
    for (int i = 0; i < 5 * ROUND_TIMEOUT; i++) {
      n1.tick();
      sent.addAll(n1.ready().allMessages());
    }
    assertThat(sent).isEmpty();
    assertThat(n1.localLog()).isEmpty();
  }

  /** Node 1 campaigns for its entry, promises node 2's higher ballot, and times out. */
  private static Replica lostRoundAgainstNodeTwo() {
    Replica n1 =
        new Replica(
            ReplicaConfig.builder(1, MEMBERS)
                .trigger(RoundTrigger.AUTO)
                .roundTimeoutTicks(ROUND_TIMEOUT)
                .forwardIntervalTicks(FORWARD_INTERVAL)
                .build(),
            StoredState.EMPTY);
    n1.submit(new byte[] {1});
    n1.ready();
    boolean preparing = false;
    for (int i = 0; i < 20 && !preparing; i++) {
      n1.tick();
      preparing = prepares(n1.ready().allMessages());
    }
    assertThat(preparing).isTrue();
    n1.step(new Prepare(2, 1, new Ballot(5, 2), 0));
    n1.ready();
    boolean lost = false;
    for (int i = 0; i < ROUND_TIMEOUT && !lost; i++) {
      n1.tick();
      lost = n1.ready().events().stream().anyMatch(e -> e.kind() == RoundEvent.Kind.LOST);
    }
    assertThat(lost).isTrue();
    assertThat(n1.leaderHint()).isEqualTo(2);
    return n1;
  }

  @Test
  void pooledMembershipChangeTravelsInPromisesUntilChosen() {
    Entry change = new Readmission(2, 9, 1).toEntry();
    Entry user = new Entry(1, 1, new byte[] {1});
    r.step(new Forward(2, 3, List.of(change, user)));
    r.step(new Commit(1, 3, 1, new Block(List.of(user))));
    r.ready();
    r.step(new Prepare(1, 3, new Ballot(3, 1), 1));
    Promise p = (Promise) r.ready().allMessages().get(0);
    assertThat(p.localLog()).containsExactly(change);
    r.step(new Commit(1, 3, 2, new Block(List.of(change))));
    r.step(new Prepare(1, 3, new Ballot(4, 1), 2));
    Promise after = (Promise) r.ready().allMessages().get(0);
    assertThat(after.localLog()).isEmpty();
  }
}
