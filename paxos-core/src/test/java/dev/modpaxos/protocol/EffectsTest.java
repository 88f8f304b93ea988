package dev.modpaxos.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.spi.StoreIdentity;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Effects hand over everything once, and each drained batch starts empty. */
class EffectsTest {
  private static final Entry ENTRY = new Entry(1, 1, new byte[] {1});
  private static final Block BLOCK = new Block(java.util.List.of(ENTRY));

  private static Ready drainWith(Consumer<Effects> effect) {
    Effects e = new Effects();
    effect.accept(e);
    Ready r = e.drain(Rules.PAXOS);
    assertThat(e.drain(Rules.PAXOS)).as("a second drain has nothing left").isSameAs(Ready.EMPTY);
    return r;
  }

  @Test
  void nothingAccumulatedDrainsAsTheEmptyBatch() {
    assertThat(new Effects().drain(Rules.PAXOS)).isSameAs(Ready.EMPTY);
  }

  @Test
  void eachKindOfEffectAloneIsHandedOverOnce() {
    StoreIdentity id = StoreIdentity.founding("c", 1);
    assertThat(drainWith(e -> e.identity = id).identity()).isEqualTo(id);
    assertThat(drainWith(e -> e.promised = new Ballot(2, 1)).promised())
        .isEqualTo(new Ballot(2, 1));
    Proposal p = new Proposal(1, new Ballot(2, 1), BLOCK);
    assertThat(drainWith(e -> e.accepted.add(p)).accepted()).containsExactly(p);
    assertThat(drainWith(e -> e.appended.add(ENTRY)).appended()).containsExactly(ENTRY);
    SlotBlock sb = new SlotBlock(1, BLOCK);
    assertThat(drainWith(e -> e.chosen.add(sb)).chosen()).containsExactly(sb);
    assertThat(drainWith(e -> e.removed.add(ENTRY.id())).removed()).containsExactly(ENTRY.id());
    Message m = new Message.CatchUpRequest(1, 2, 1);
    assertThat(drainWith(e -> e.messages.add(m)).allMessages()).containsExactly(m);
    RoundEvent ev = new RoundEvent(RoundEvent.Kind.LOST, new Ballot(2, 1), 1);
    assertThat(drainWith(e -> e.events.add(ev)).events()).containsExactly(ev);
    assertThat(drainWith(e -> e.roundsDone.add(4L)).roundsDone()).containsExactly(4L);
    assertThat(drainWith(e -> e.roundsFailed.add(5L)).roundsFailed()).containsExactly(5L);
  }
}
