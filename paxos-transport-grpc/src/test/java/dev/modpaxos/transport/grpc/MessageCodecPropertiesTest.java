package dev.modpaxos.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.Message.RejectReason;
import dev.modpaxos.protocol.Proposal;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Property tests of {@link MessageCodec}: arbitrary messages round-trip; garbage never crashes. */
class MessageCodecPropertiesTest {
  private static final List<Integer> MEMBERS = List.of(1, 2, 3, 4, 5);
  private final MessageCodec codec = new MessageCodec(MEMBERS);

  @Property(tries = 500)
  void everyMessageRoundTrips(@ForAll("messages") Message m) {
    assertThat(codec.decode(codec.encode(m).toByteArray())).isEqualTo(m);
  }

  @Property(tries = 2000)
  void randomBytesAreRejectedOrDecodeToAValidMessage(@ForAll @Size(max = 200) byte[] bytes) {
    assertRejectedOrValid(bytes);
  }

  @Property(tries = 2000)
  void corruptedMessagesAreRejectedOrDecodeToAValidMessage(
      @ForAll("messages") Message m, @ForAll("flips") List<Integer> flips) {
    byte[] bytes = codec.encode(m).toByteArray();
    if (bytes.length == 0) {
      return;
    }
    for (int i = 0; i + 1 < flips.size(); i += 2) {
      bytes[Math.floorMod(flips.get(i), bytes.length)] ^= (byte) (int) flips.get(i + 1);
    }
    assertRejectedOrValid(bytes);
  }

  /** Either a clean rejection or a message that is valid for this cluster; nothing else. */
  private void assertRejectedOrValid(byte[] bytes) {
    Message decoded;
    try {
      decoded = codec.decode(bytes);
    } catch (MalformedMessageException rejected) {
      assertThat(rejected.getMessage()).isNotBlank();
      return;
    }
    assertThat(MEMBERS).contains(decoded.from(), decoded.to());
    assertThat(codec.decode(codec.encode(decoded).toByteArray())).isEqualTo(decoded);
  }

  // ---- generators ---------------------------------------------------------------------------

  @Provide
  Arbitrary<List<Integer>> flips() {
    return Arbitraries.integers().between(0, 10_000).list().ofMinSize(2).ofMaxSize(8);
  }

  @Provide
  Arbitrary<Message> messages() {
    Arbitrary<Integer> id = Arbitraries.of(MEMBERS);
    Arbitrary<Long> slot = Arbitraries.longs().between(1, Long.MAX_VALUE);
    Arbitrary<Long> committed = Arbitraries.longs().between(0, Long.MAX_VALUE);
    Arbitrary<Ballot> ballot = ballots();
    Arbitrary<Block> block = blocks();
    Arbitrary<List<Entry>> entries = entries();
    return Arbitraries.oneOf(
        Combinators.combine(id, id, ballot, committed).as(Message.Prepare::new),
        Combinators.combine(id, id, ballot, committed, proposals().injectNull(0.5), entries)
            .as(Message.Promise::new),
        Combinators.combine(id, id, ballot, slot, block).as(Message.Accept::new),
        Combinators.combine(id, id, ballot, slot).as(Message.Accepted::new),
        Combinators.combine(id, id, ballot, slot, Arbitraries.of(RejectReason.class), ballot, committed)
            .as(Message.Reject::new),
        Combinators.combine(id, id, slot, block).as(Message.Commit::new),
        Combinators.combine(id, id, slot).as(Message.CatchUpRequest::new),
        Combinators.combine(id, id, slot, block.list().ofMaxSize(4)).as(Message.CatchUp::new),
        Combinators.combine(id, id, entries).as(Message.Forward::new));
  }

  private Arbitrary<Ballot> ballots() {
    return Arbitraries.oneOf(
        Arbitraries.just(Ballot.ZERO),
        Combinators.combine(Arbitraries.longs().between(0, Long.MAX_VALUE), Arbitraries.of(MEMBERS))
            .as(Ballot::new));
  }

  private Arbitrary<List<Entry>> entries() {
    Arbitrary<Entry> entry =
        Combinators.combine(
                Arbitraries.of(MEMBERS),
                Arbitraries.longs().between(1, Long.MAX_VALUE),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(32))
            .as(Entry::new);
    return entry.list().ofMaxSize(6).uniqueElements(Entry::id);
  }

  private Arbitrary<Block> blocks() {
    return entries().map(Block::new);
  }

  private Arbitrary<Proposal> proposals() {
    return Combinators.combine(Arbitraries.longs().between(1, Long.MAX_VALUE), ballots(), blocks())
        .as(Proposal::new);
  }
}
