package dev.modpaxos.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.protocol.Message.CatchUp;
import dev.modpaxos.protocol.Message.CatchUpRequest;
import dev.modpaxos.protocol.Message.Commit;
import dev.modpaxos.spi.StoredState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** R9, R11: learning chosen blocks by COMMIT and CATCHUP, and asking for what is missing. */
class ReplicaLearnerTest {
  private static final List<Integer> MEMBERS = List.of(1, 2, 3);

  private static Replica node2(ReplicaConfig.Builder tune) {
    return new Replica(tune.build(), StoredState.EMPTY);
  }

  private static ReplicaConfig.Builder config() {
    return ReplicaConfig.builder(2, MEMBERS).trigger(RoundTrigger.ON_DEMAND);
  }

  private static Block block(int origin, long seq, int payloadBytes) {
    return new Block(List.of(new Entry(origin, seq, new byte[payloadBytes])));
  }

  @Test
  void commitBeyondTheNextSlotAsksItsSenderForTheGap() {
    Replica r = node2(config());
    r.ready();
    r.step(new Commit(1, 2, 3, block(1, 3, 1)));
    assertThat(r.ready().allMessages()).containsExactly(new CatchUpRequest(2, 1, 1));
    assertThat(r.committedSlot()).isZero();
  }

  @Test
  void commitOfTheNextOrAnEarlierSlotAsksNothing() {
    Replica r = node2(config());
    r.ready();
    r.step(new Commit(1, 2, 1, block(1, 1, 1)));
    assertThat(r.ready().allMessages()).isEmpty();
    r.step(new Commit(3, 2, 1, block(1, 1, 1)));
    Ready duplicate = r.ready();
    assertThat(duplicate.allMessages()).isEmpty();
    assertThat(duplicate.chosen()).isEmpty();
  }

  @Test
  void catchUpOfExactlyTheBlockCapAsksForMore() {
    Replica r = node2(config().catchUpBlocksMax(2));
    r.ready();
    r.step(new CatchUp(1, 2, 1, List.of(block(1, 1, 1), block(1, 2, 1))));
    assertThat(r.committedSlot()).isEqualTo(2);
    assertThat(r.ready().allMessages()).containsExactly(new CatchUpRequest(2, 1, 3));
    r.step(new CatchUp(1, 2, 3, List.of(block(1, 3, 1))));
    assertThat(r.ready().allMessages()).as("below the cap: that was all").isEmpty();
  }

  @Test
  void catchUpThatTaughtNothingAsksNothing() {
    Replica r = node2(config().catchUpBlocksMax(2));
    List<Block> two = List.of(block(1, 1, 1), block(1, 2, 1));
    r.step(new CatchUp(1, 2, 1, two));
    r.ready();
    r.step(new CatchUp(3, 2, 1, two));
    assertThat(r.ready().allMessages()).isEmpty();
  }

  @Test
  void catchUpExactlyAtTheByteThresholdIsNotCapped() {
    int blockBytesMax = 100;
    Replica r = node2(config().blockBytesMax(blockBytesMax));
    r.ready();
    // Budget.sizeOf: 16 per block + 16 per entry + payload; two blocks of 150 = 3 x 100 bytes.
    List<Block> blocks = new ArrayList<>();
    blocks.add(block(1, 1, 150 - 32));
    blocks.add(block(1, 2, 150 - 32));
    assertThat(Budget.sizeOf(blocks.get(0))).isEqualTo(150);
    r.step(new CatchUp(1, 2, 1, blocks));
    assertThat(r.committedSlot()).isEqualTo(2);
    assertThat(r.ready().allMessages()).as("4 x 100 - 100 = 300 bytes is not above the cap")
        .isEmpty();
    r.step(new CatchUp(1, 2, 3, List.of(block(1, 3, 301 - 32))));
    assertThat(r.ready().allMessages()).containsExactly(new CatchUpRequest(2, 1, 4));
  }

  @Test
  void catchUpRequestIsAnsweredWithTheBlocksFromTheSlotAsked() {
    Replica r = node2(config());
    r.step(new Commit(1, 2, 1, block(1, 1, 1)));
    r.step(new Commit(1, 2, 2, block(1, 2, 1)));
    r.ready();
    r.step(new CatchUpRequest(3, 2, 2));
    assertThat(r.ready().allMessages())
        .containsExactly(new CatchUp(2, 3, 2, List.of(block(1, 2, 1))));
    r.step(new CatchUpRequest(3, 2, 3));
    assertThat(r.ready().allMessages()).as("nothing to send").isEmpty();
    assertThat(r.chosenBlocks(1, 1)).containsExactly(block(1, 1, 1));
  }
}
