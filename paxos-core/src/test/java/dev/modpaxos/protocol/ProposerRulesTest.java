package dev.modpaxos.protocol;

import static dev.modpaxos.protocol.ManualCluster.from;
import static dev.modpaxos.protocol.ManualCluster.ofType;
import static dev.modpaxos.protocol.ManualCluster.to;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.protocol.Message.Accept;
import dev.modpaxos.protocol.Message.Accepted;
import dev.modpaxos.protocol.Message.CatchUp;
import dev.modpaxos.protocol.Message.Commit;
import dev.modpaxos.protocol.Message.Forward;
import dev.modpaxos.protocol.Message.Prepare;
import dev.modpaxos.protocol.Message.Promise;
import dev.modpaxos.protocol.Message.Reject;
import dev.modpaxos.protocol.Message.RejectReason;
import dev.modpaxos.protocol.RoundEvent.Kind;
import dev.modpaxos.spi.StoredState;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The proposer: R1 ballots, R6 promise waits, R9 decisions, R12-R14 rounds and tickets. */
class ProposerRulesTest {
  private static final List<Integer> MEMBERS = List.of(1, 2, 3);

  private static ManualCluster onDemand(int n, UnaryOperator<ReplicaConfig.Builder> tune) {
    return new ManualCluster(n, RoundTrigger.ON_DEMAND, tune);
  }

  /** An AUTO cluster of three in which node 1 has won slot 1 and leads. */
  private static ManualCluster autoWithLeaderOne(UnaryOperator<ReplicaConfig.Builder> tune) {
    ManualCluster c = new ManualCluster(3, RoundTrigger.AUTO, tune);
    c.submit(1, 1);
    for (int i = 0; i < 20 && c.node(3).committedSlot() < 1; i++) {
      c.run(1);
    }
    assertThat(c.node(1).isLeader()).isTrue();
    assertThat(c.node(3).committedSlot()).isEqualTo(1);
    return c.forget();
  }

  private static List<Message> ofKind(List<Message> ms, Class<? extends Message> type) {
    return ms.stream().filter(type::isInstance).toList();
  }

  private static Prepare firstPrepare(Ready r) {
    return (Prepare) r.allMessages().stream().filter(m -> m instanceof Prepare).findFirst()
        .orElseThrow();
  }

  private static Replica node1() {
    return new Replica(
        ReplicaConfig.builder(1, MEMBERS).trigger(RoundTrigger.ON_DEMAND).build(),
        StoredState.EMPTY);
  }

  @Test
  void newBallotIsAboveTheBallotOfAnyPromiseSeen() {
    Replica r = node1();
    r.step(new Promise(2, 1, new Ballot(7, 2), 0, null, List.of()));
    r.runRound();
    assertThat(firstPrepare(r.ready()).ballot()).isEqualTo(new Ballot(8, 1));
    assertThat(r.isLeader()).isFalse();
  }

  @Test
  void newBallotIsAboveTheBallotOfAnyVoteSeen() {
    Replica r = node1();
    r.step(new Accepted(2, 1, new Ballot(5, 3), 1));
    r.runRound();
    assertThat(firstPrepare(r.ready()).ballot()).isEqualTo(new Ballot(6, 1));
  }

  @Test
  void promisesFromEveryMemberEndThePromiseWaitAtOnce() {
    ManualCluster c = onDemand(3, b -> b.promiseWaitTicks(5));
    c.submit(1, 1);
    c.runRound(1);
    c.deliver(ofType(Prepare.class).or(ofType(Promise.class)));
    assertThat(ofKind(c.sentBy(1), Accept.class)).as("no tick needed").hasSize(2);
  }

  @Test
  void withoutAPromiseWaitTheFirstMajorityWinsAtOnce() {
    ManualCluster c = onDemand(3, b -> b.promiseWaitTicks(0));
    c.submit(1, 1);
    c.runRound(1);
    c.drop(to(3));
    c.deliver(ofType(Prepare.class).or(ofType(Promise.class)));
    assertThat(ofKind(c.sentBy(1), Accept.class)).hasSize(2);
    assertThat(c.node(1).proposer().phase()).isEqualTo(Proposer.Phase.ACCEPTING);
    assertThat(c.node(1).proposer().ballot()).isEqualTo(new Ballot(1, 1));
  }

  @Test
  void promiseWaitCountsFromTheFirstMajority() {
    ManualCluster c = onDemand(5, b -> b.promiseWaitTicks(2));
    c.submit(1, 1);
    c.runRound(1);
    c.deliver(to(2).or(to(3)).or(from(2)).or(from(3)));
    c.tick(1);
    c.deliver(to(4).or(from(4)));
    assertThat(ofKind(c.sentBy(1), Accept.class)).as("4 of 5: still waiting").isEmpty();
    c.tick(1);
    assertThat(ofKind(c.last(1).allMessages(), Accept.class))
        .as("two ticks after the majority at tick 0").hasSize(4);
  }

  @Test
  void promisesFromEveryMemberNotMarkedUnreachableEndThePromiseWaitAtOnce() {
    ManualCluster c = onDemand(5, b -> b.promiseWaitTicks(50));
    c.node(1).setUnreachable(java.util.Set.of(5));
    c.submit(1, 1);
    c.runRound(1);
    c.drop(to(5));
    c.deliver(ofType(Prepare.class).or(ofType(Promise.class)));
    assertThat(ofKind(c.sentBy(1), Accept.class)).as("4 of 5, 5 unreachable: no tick needed")
        .hasSize(4);
  }

  @Test
  void aMemberNotMarkedUnreachableIsWaitedForUntilThePromiseWaitEnds() {
    ManualCluster c = onDemand(5, b -> b.promiseWaitTicks(50));
    c.node(1).setUnreachable(java.util.Set.of(5));
    c.submit(1, 1);
    c.runRound(1);
    c.drop(to(4).or(to(5)));
    c.deliver(ofType(Prepare.class).or(ofType(Promise.class)));
    c.tick(1, 49);
    assertThat(ofKind(c.sentBy(1), Accept.class)).as("4 is reachable: still waiting").isEmpty();
    assertThat(c.events(1)).as("past the round timeout with a majority").doesNotContain(Kind.LOST);
    c.tick(1);
    assertThat(ofKind(c.last(1).allMessages(), Accept.class)).hasSize(4);
  }

  @Test
  void aRoundWaitingForPromisesSendsItsPrepareAgainEveryHalfRoundTimeout() {
    // Round timeout 10: the others count a round live for 10 ticks from its latest message, so
    // one that waits 50 for silent members sends its PREPARE again every 5 (R14).
    ManualCluster c = onDemand(5, b -> b.promiseWaitTicks(50));
    c.submit(1, 1);
    c.runRound(1);
    c.drop(to(4).or(to(5)));
    c.deliver(ofType(Prepare.class).or(ofType(Promise.class)));
    c.forget();
    c.tick(1, 4);
    assertThat(ofKind(c.sentBy(1), Prepare.class)).as("4 ticks into the wait").isEmpty();
    c.tick(1);
    List<Message> again = ofKind(c.sentBy(1), Prepare.class);
    assertThat(again).as("5 ticks: to every other member at least, at the same ballot")
        .hasSizeGreaterThanOrEqualTo(4)
        .allMatch(p -> ((Prepare) p).ballot().equals(c.node(1).proposer().ballot()));
    c.drop(to(4).or(to(5)));
    c.deliver(ofType(Prepare.class).or(ofType(Promise.class)));
    assertThat(c.events(1)).as("a promise again at the same ballot is no new round")
        .doesNotContain(Kind.LOST);
    c.tick(1, 45);
    assertThat(ofKind(c.sentBy(1), Accept.class)).as("the wait still ends at 50 ticks")
        .hasSize(4);
  }

  @Test
  void recoveredValuesStillStartWhenACommitFromElsewhereEmptiesTheWindow() {
    // Node 1 chooses slot 1 with node 2's vote; its COMMIT to node 3 is held back, node 2's lost.
    ManualCluster c = onDemand(3, b -> b.blockEntriesMax(1));
    c.submit(1, 1);
    c.runRound(1);
    c.drop(to(3));
    c.deliver(ofType(Prepare.class).or(ofType(Promise.class)).or(ofType(Accept.class))
        .or(ofType(Accepted.class)).and(to(3).negate()));
    assertThat(c.node(1).committedSlot()).isEqualTo(1);
    c.drop(to(2).or(ofType(Accept.class)));
    // Node 3 is now a fresh replica with a window of one slot.
    c.put(new Replica(ReplicaConfig.builder(3, MEMBERS).trigger(RoundTrigger.ON_DEMAND).seed(3)
        .roundTimeoutTicks(10).backoffTicksMax(2).promiseWaitTicks(0).blockEntriesMax(1)
        .pipelineSlots(1).build(), StoredState.EMPTY));
    // A second round of node 1 (ballot 2.1) gets slot 2 accepted by node 2 alone, unchosen.
    c.submit(1, 2);
    c.runRound(1);
    c.deliver(ofType(Prepare.class).and(from(1)).or(ofType(Promise.class).and(to(1))));
    c.deliver(ofType(Accept.class).and(to(2)));
    c.drop(ofType(Accepted.class).or(ofType(CatchUp.class)).or(ofType(Accept.class)));
    // Node 3 wins a round with node 2's promise (slot 1 at 1.1, slot 2 at 2.1): slot 1 goes out
    // again, slot 2 waits behind it.
    c.runRound(3);
    c.drop(ofType(Prepare.class).and(to(1)));
    c.deliver(ofType(Prepare.class).and(from(3)).or(ofType(Promise.class).and(to(3))));
    assertThat(c.node(3).proposer().phase()).isEqualTo(Proposer.Phase.ACCEPTING);
    assertThat(ofKind(c.sentBy(3), Accept.class)).isNotEmpty()
        .allMatch(m -> ((Accept) m).slot() == 1);
    c.drop(from(3));
    c.forget();
    // The held COMMIT of slot 1 reaches node 3 before any vote for its own ACCEPT.
    c.deliver(ofType(Commit.class).and(to(3)));
    assertThat(c.node(3).committedSlot()).isEqualTo(1);
    Ballot ballot = c.node(3).proposer().ballot();
    c.tick(3, 3);
    assertThat(ofKind(c.sentBy(3), Accept.class))
        .as("R18: the learner emptied the window, so the recovered slot 2 starts (an ACCEPTING"
            + " round with nothing in flight has no timeout and would wait for good)")
        .isNotEmpty()
        .allMatch(m -> ((Accept) m).slot() == 2 && ((Accept) m).ballot().equals(ballot));
  }

  @Test
  void markingTheLastSilentMemberUnreachableEndsTheWaitOnTheNextTick() {
    ManualCluster c = onDemand(5, b -> b.promiseWaitTicks(50));
    c.submit(1, 1);
    c.runRound(1);
    c.drop(to(5));
    c.deliver(ofType(Prepare.class).or(ofType(Promise.class)));
    c.tick(1, 3);
    assertThat(ofKind(c.sentBy(1), Accept.class)).isEmpty();
    c.node(1).setUnreachable(java.util.Set.of(5));
    c.tick(1);
    assertThat(ofKind(c.last(1).allMessages(), Accept.class)).hasSize(4);
  }

  @Test
  void acceptPhaseTimesOutAfterExactlyTheRoundTimeout() {
    ManualCluster c = onDemand(3, b -> b);
    c.submit(1, 1);
    c.runRound(1);
    c.deliver(ofType(Prepare.class).or(ofType(Promise.class)));
    c.drop(ofType(Accept.class));
    c.forget();
    c.tick(1, 9);
    assertThat(c.events(1)).doesNotContain(Kind.LOST);
    c.tick(1);
    assertThat(c.last(1).events()).extracting(RoundEvent::kind).containsExactly(Kind.LOST);
  }

  @Test
  void emptyRoundSettlesItsTicketAsDoneWithoutASlot() {
    ManualCluster c = onDemand(3, b -> b);
    long ticket = c.runRound(1);
    c.deliverAll();
    assertThat(c.roundsDone(1)).containsExactly(ticket);
    assertThat(c.node(1).committedSlot()).isZero();
  }

  @Test
  void ticketQueuedDuringARoundRunsItsOwnRoundAfterwards() {
    ManualCluster c = onDemand(3, b -> b);
    c.submit(1, 1);
    long first = c.runRound(1);
    long second = c.runRound(1);
    c.deliverAll();
    assertThat(c.roundsDone(1)).containsExactly(first, second);
    assertThat(c.events(1).stream().filter(k -> k == Kind.PREPARE_STARTED).count()).isEqualTo(2);
  }

  @Test
  void ticketsQueuedDuringAFailingRoundFailWithItAndRunNoMore() {
    ManualCluster c = onDemand(3, b -> b.roundAttemptsMax(1));
    long first = c.runRound(1);
    long second = c.runRound(1);
    c.drop(m -> true);
    c.tick(1, 10);
    assertThat(c.roundsFailed(1)).containsExactly(first, second);
    c.forget();
    c.tick(1, 30);
    assertThat(c.sentBy(1)).as("nothing left to run").isEmpty();
    assertThat(c.roundsFailed(1)).isEmpty();
  }

  @Test
  void ownProposalChosenThroughAnotherNodeSettlesTheRound() {
    ManualCluster c = onDemand(3, b -> b);
    c.submit(1, 1);
    long ticket = c.runRound(1);
    c.deliver(ofType(Prepare.class).or(ofType(Promise.class)));
    Accept accept = (Accept) c.wire().stream().filter(m -> m instanceof Accept).findFirst()
        .orElseThrow();
    c.drop(m -> true);
    c.step(new Commit(2, 1, 1, accept.block()));
    assertThat(c.roundsDone(1)).containsExactly(ticket);
    assertThat(c.events(1)).doesNotContain(Kind.LOST);
    c.forget().tick(1, 30);
    assertThat(ofKind(c.sentBy(1), Prepare.class)).isEmpty();
  }

  @Test
  void otherBlockChosenForTheSlotOfTheRoundLosesIt() {
    ManualCluster c = onDemand(3, b -> b);
    c.submit(1, 1);
    long ticket = c.runRound(1);
    c.deliver(ofType(Prepare.class).or(ofType(Promise.class)));
    c.drop(m -> true);
    c.step(new Commit(2, 1, 1, new Block(List.of(new Entry(2, 1, new byte[] {2})))));
    assertThat(c.events(1)).contains(Kind.LOST);
    assertThat(c.roundsDone(1)).doesNotContain(ticket);
    assertThat(c.node(1).localLogSize()).isEqualTo(1);
  }

  @Test
  void roundsOwnBlockPipelinedBehindAReproposalIsChosenEvenAfterTheLeadWasLost() {
    ManualCluster c = onDemand(3, b -> b);
    Block other = new Block(List.of(new Entry(3, 1, new byte[] {3})));
    c.step(new Accept(3, 2, new Ballot(1, 3), 1, other)); // node 2 accepted node 3's value
    c.step(new Accepted(3, 1, new Ballot(1, 3), 1)); // node 1 has seen ballot 1.3
    c.drop(m -> true);
    c.submit(1, 1);
    long ticket = c.runRound(1);
    c.drop(to(3));
    c.deliver(ofType(Prepare.class).or(ofType(Promise.class)));
    Accept repropose = (Accept) c.wire().stream().filter(m -> m instanceof Accept)
        .filter(m -> m.to() == 2).findFirst().orElseThrow();
    assertThat(repropose.block()).as("R7").isEqualTo(other);
    c.drop(to(3));
    c.step(new Prepare(3, 1, new Ballot(5, 3), 0)); // node 1 loses the lead meanwhile
    c.drop(to(3));
    c.forget();
    c.deliver(to(2).and(ofType(Accept.class)).or(ofType(Accepted.class)));
    assertThat(c.node(1).chosen(1)).isEqualTo(other);
    // R18: the round's own block went out for slot 2 with the re-proposal, at the old ballot;
    // node 2 had promised nothing higher, so it is chosen without another round.
    assertThat(c.node(1).chosen(2).entries()).extracting(Entry::origin).containsExactly(1);
    assertThat(ofKind(c.sentBy(1), Prepare.class)).as("no round needed again")
        .extracting(m -> ((Prepare) m).ballot()).doesNotContain(new Ballot(6, 1));
    c.deliverAll();
    assertThat(c.roundsDone(1)).containsExactly(ticket);
  }

  @Test
  void roundThatOnlyReproposedAValueSettlesOnceThatValueIsChosen() {
    ManualCluster c = onDemand(3, b -> b);
    Block other = new Block(List.of(new Entry(3, 1, new byte[] {3})));
    c.step(new Accept(3, 2, new Ballot(1, 3), 1, other));
    c.step(new Accepted(3, 1, new Ballot(1, 3), 1));
    c.drop(m -> true);
    long ticket = c.runRound(1);
    c.drop(to(3));
    c.deliverAll();
    assertThat(c.node(1).chosen(1)).isEqualTo(other);
    assertThat(c.node(1).committedSlot()).as("nothing of its own to decide").isEqualTo(1);
    assertThat(c.roundsDone(1)).containsExactly(ticket);
  }

  @Test
  void nodeThatDecidesItsOwnReplacementFailsTheRoundsStillQueued() {
    ManualCluster c = onDemand(3, b -> b);
    // Another incarnation of member 1 asks to replace generation 1 (R17); node 1 pools it.
    c.step(new Forward(2, 1, List.of(new Readmission(1, 77, 1).toEntry())));
    long first = c.runRound(1);
    long queued = c.runRound(1);
    c.deliverAll();
    assertThat(c.node(1).generationOf(1)).isEqualTo(2);
    assertThat(c.node(1).isVoting()).isFalse();
    assertThat(c.roundsDone(1)).containsExactly(first);
    assertThat(c.roundsFailed(1)).as("a replaced generation runs no round").containsExactly(queued);
  }

  @Test
  void backOffAfterALostRoundIsOneToSpreadTicks() {
    TreeSet<Integer> delays = new TreeSet<>();
    for (long seed = 1; seed <= 20; seed++) {
      Replica r =
          new Replica(
              ReplicaConfig.builder(1, MEMBERS)
                  .trigger(RoundTrigger.ON_DEMAND)
                  .seed(seed)
                  .roundTimeoutTicks(5)
                  .backoffTicksMax(2)
                  .build(),
              StoredState.EMPTY);
      r.runRound();
      r.ready();
      int lostAt = -1;
      for (int t = 1; t <= 20; t++) {
        r.tick();
        List<Kind> kinds = r.ready().events().stream().map(RoundEvent::kind).toList();
        if (kinds.contains(Kind.LOST)) {
          lostAt = t;
        } else if (kinds.contains(Kind.PREPARE_STARTED)) {
          delays.add(t - lostAt);
          break;
        }
      }
    }
    assertThat(delays).as("1..backoffTicksMax x attempts(1)").containsExactly(1, 2);
  }

  @Test
  void firstCampaignWaitsARandomJitterOfUpToTheBackOffMax() {
    TreeSet<Integer> starts = new TreeSet<>();
    for (long seed = 1; seed <= 20; seed++) {
      Replica r =
          new Replica(
              ReplicaConfig.builder(1, MEMBERS).seed(seed).backoffTicksMax(10).build(),
              StoredState.EMPTY);
      r.submit(new byte[] {1});
      r.ready();
      for (int t = 1; t <= 20; t++) {
        r.tick();
        if (r.ready().events().stream().anyMatch(e -> e.kind() == Kind.PREPARE_STARTED)) {
          starts.add(t);
          break;
        }
      }
    }
    assertThat(starts.first()).isGreaterThanOrEqualTo(2);
    assertThat(starts.last()).isLessThanOrEqualTo(11);
    assertThat(starts.size()).as("jittered, not all at once").isGreaterThan(2);
  }

  @Test
  void leaderProposesASubmittedEntryAtOnce() {
    ManualCluster c = autoWithLeaderOne(b -> b);
    c.submit(1, 2);
    List<Message> accepts = ofKind(c.last(1).allMessages(), Accept.class);
    assertThat(accepts).hasSize(2)
        .allSatisfy(m -> assertThat(((Accept) m).slot()).isEqualTo(2));
  }

  @Test
  void leaderProposesAForwardedEntryAtOnce() {
    ManualCluster c = autoWithLeaderOne(b -> b);
    Entry forwarded = new Entry(2, 1, new byte[] {7});
    c.step(new Forward(2, 1, List.of(forwarded)));
    List<Message> accepts = ofKind(c.last(1).allMessages(), Accept.class);
    assertThat(accepts).hasSize(2)
        .allSatisfy(m -> assertThat(((Accept) m).block().entries()).containsExactly(forwarded));
  }

  @Test
  void leaderPoolsAtMostFourBlocksOfForwardedEntries() {
    ManualCluster c = autoWithLeaderOne(b -> b.blockEntriesMax(1));
    List<Entry> six = new ArrayList<>();
    for (int seq = 1; seq <= 6; seq++) {
      six.add(new Entry(2, seq, new byte[] {(byte) seq}));
    }
    c.step(new Forward(2, 1, six));
    c.deliverAll();
    assertThat(c.node(3).chosenEntries()).as("slot 1's entry and four pooled ones")
        .isEqualTo(1 + 4);
    assertThat(c.node(3).committedSlot()).isEqualTo(1 + 4);
  }

  @Test
  void leaderStepsDownWhenItsAcceptorPromisesAHigherBallot() {
    ManualCluster c = autoWithLeaderOne(b -> b);
    c.step(new Prepare(2, 1, new Ballot(9, 2), 1));
    assertThat(c.node(1).isLeader()).isFalse();
  }

  @Test
  void leaderStepsDownWhenTheMembershipChanges() {
    ManualCluster c = autoWithLeaderOne(b -> b);
    c.step(new Commit(2, 1, 2, new Block(List.of(new Entry(2, 1, new byte[] {2})))));
    assertThat(c.node(1).isLeader()).as("an ordinary block changes nothing").isTrue();
    c.step(new Commit(2, 1, 3, new Block(List.of(new Readmission(3, 9, 1).toEntry()))));
    assertThat(c.node(1).isLeader()).isFalse();
  }

  @Test
  void slotDecidedRejectFromAnAcceptorNotAheadIsAVoteLostNotTheRound() {
    ManualCluster c = onDemand(3, b -> b);
    c.submit(1, 1);
    c.runRound(1);
    Ballot b = c.node(1).proposer().ballot();
    c.drop(m -> true);
    c.forget();
    c.step(new Reject(2, 1, b, 1, RejectReason.SLOT_DECIDED, b, 0));
    assertThat(c.events(1)).doesNotContain(Kind.LOST);
    assertThat(c.sentBy(1)).isEmpty();
    assertThat(c.node(1).proposer().phase()).isEqualTo(Proposer.Phase.PREPARING);
    c.step(new Reject(3, 1, b, 1, RejectReason.SLOT_DECIDED, b, 1));
    assertThat(c.events(1)).containsExactly(Kind.LOST);
    assertThat(c.sentBy(1)).containsExactly(new Message.CatchUpRequest(1, 3, 1));
  }

  @Test
  void acceptorBehindGetsTheMissingBlocksAndTheAcceptAgain() {
    ManualCluster c = autoWithLeaderOne(b -> b);
    c.submit(1, 2);
    Accept accept = (Accept) ofKind(c.last(1).allMessages(), Accept.class).get(0);
    c.drop(m -> true);
    c.forget();
    c.step(new Reject(3, 1, accept.ballot(), 2, RejectReason.ACCEPTOR_BEHIND, accept.ballot(), 0));
    assertThat(c.last(1).allMessages())
        .containsExactly(
            new CatchUp(1, 3, 1, List.of(c.node(1).chosen(1))),
            new Accept(1, 3, accept.ballot(), 2, accept.block()));
    c.step(new Reject(3, 1, accept.ballot(), 3, RejectReason.ACCEPTOR_BEHIND, accept.ballot(), 0));
    assertThat(c.last(1).allMessages()).as("not the slot of this round").isEmpty();
  }
}
