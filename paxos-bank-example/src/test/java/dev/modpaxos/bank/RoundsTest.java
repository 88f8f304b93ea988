package dev.modpaxos.bank;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.bank.MessageLog.Event;
import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Message;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoundsTest {
  private long seq;

  private Event ev(Message m) {
    return MessageLog.eventOf(++seq, seq, m);
  }

  @Test
  void aRoundGathersEveryPhaseWithWhoAnsweredAndAnotherBallotIsAnotherRound() {
    Ballot b = new Ballot(1, 1);
    Block block = new Block(List.of());
    Rounds r = new Rounds();
    // a PROMISE may be merged in before the PREPARE that caused it
    r.add(ev(new Message.Promise(3, 1, b, 0, null, List.of())));
    r.add(ev(new Message.Prepare(1, 2, b, 0)));
    r.add(ev(new Message.Prepare(1, 3, b, 0)));
    r.add(ev(new Message.Promise(2, 1, b, 0, null, List.of())));
    r.add(ev(new Message.Accept(1, 2, b, 1, block)));
    r.add(ev(new Message.Accepted(2, 1, b, 1)));
    r.add(ev(new Message.Commit(1, 2, 1, block)));
    r.add(ev(new Message.CatchUpRequest(2, 1, 2)));
    r.add(ev(new Message.Reject(2, 3, new Ballot(1, 3), 1,
        Message.RejectReason.HIGHER_BALLOT, b, 1)));

    assertThat(r.rounds()).hasSize(2);
    Rounds.Round first = r.rounds().get(0);
    assertThat(first.proposer).isEqualTo("S1");
    assertThat(first.ballot).isEqualTo("(1, S1)");
    assertThat(first.slot).isEqualTo(1);
    assertThat(first.prepare).containsExactly("S2", "S3");
    assertThat(first.promise).containsExactly("S3", "S2");
    assertThat(first.accept).containsExactly("S2");
    assertThat(first.accepted).containsExactly("S2");
    assertThat(first.commit).containsExactly("S2");
    assertThat(first.entries).isEqualTo("0 entries");
    Rounds.Round second = r.rounds().get(1);
    assertThat(second.proposer).isEqualTo("S3");
    assertThat(second.reject).containsExactly("S2: HIGHER_BALLOT");
  }

  @Test
  void onlyTheNewestRoundsAreKept() {
    Rounds r = new Rounds();
    for (int i = 1; i <= Rounds.KEPT + 5; i++) {
      r.add(ev(new Message.Prepare(1, 2, new Ballot(i, 1), 0)));
    }
    assertThat(r.rounds()).hasSize(Rounds.KEPT);
    assertThat(r.rounds().get(Rounds.KEPT - 1).ballot).isEqualTo("(" + (Rounds.KEPT + 5) + ", S1)");
  }

  @Test
  void aBallotOfALaterGenerationSaysSo() {
    assertThat(MessageLog.ballot(new Ballot(4, 2, 3))).isEqualTo("(4, S2, gen 3)");
    assertThat(MessageLog.ballot(Ballot.ZERO)).isEqualTo("-");
  }
}
