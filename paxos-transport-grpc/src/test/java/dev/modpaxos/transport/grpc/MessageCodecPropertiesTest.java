package dev.modpaxos.transport.grpc;

import static dev.modpaxos.transport.grpc.Polling.STAMP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.EntryId;
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
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/** Property tests of {@link MessageCodec}: arbitrary messages round-trip; garbage never crashes. */
class MessageCodecPropertiesTest {
  private static final List<Integer> MEMBERS = List.of(1, 2, 3, 4, 5);
  private final MessageCodec codec = new MessageCodec(MEMBERS);

  @Property(tries = 500)
  void everyMessageRoundTrips(@ForAll("messages") Message m) {
    Statistics.label("generation above 1").collect(hasGenerationAbove1(m));
    Statistics.label("control entry").collect(hasControlEntry(m));
    // The generators must reach what this revision of the wire format added.
    Statistics.label("generation above 1")
        .coverage(c -> c.check(true).percentage(p -> p >= 10));
    Statistics.label("control entry").coverage(c -> c.check(true).percentage(p -> p >= 3));
    assertThat(codec.decode(codec.encode(STAMP, m).toByteArray())).isEqualTo(m);
  }

  /** True if a ballot or an acceptor generation of {@code m} is above 1 (so it must travel). */
  private static boolean hasGenerationAbove1(Message m) {
    if (m instanceof Message.Prepare p) {
      return p.ballot().generation() > 1;
    } else if (m instanceof Message.Promise p) {
      return p.ballot().generation() > 1 || p.generation() > 1
          || p.accepted().stream().anyMatch(a -> a.ballot().generation() > 1);
    } else if (m instanceof Message.Accept a) {
      return a.ballot().generation() > 1;
    } else if (m instanceof Message.Accepted a) {
      return a.ballot().generation() > 1 || a.generation() > 1;
    } else if (m instanceof Message.Reject r) {
      return r.ballot().generation() > 1 || r.promised().generation() > 1;
    }
    return false;
  }

  private static boolean hasControlEntry(Message m) {
    List<Entry> entries = List.of();
    if (m instanceof Message.Promise p) {
      entries = p.localLog();
    } else if (m instanceof Message.Accept a) {
      entries = a.block().entries();
    } else if (m instanceof Message.Commit c) {
      entries = c.block().entries();
    } else if (m instanceof Message.CatchUp c) {
      entries = c.blocks().stream().flatMap(b -> b.entries().stream()).toList();
    } else if (m instanceof Message.Forward f) {
      entries = f.entries();
    }
    return entries.stream().anyMatch(e -> e.id().isControl());
  }

  @Property(tries = 2000)
  void randomBytesAreRejectedOrDecodeToAValidMessage(@ForAll @Size(max = 200) byte[] bytes) {
    assertRejectedOrValid(bytes);
  }

  @Property(tries = 2000)
  void corruptedMessagesAreRejectedOrDecodeToAValidMessage(
      @ForAll("messages") Message m, @ForAll("flips") List<Integer> flips) {
    byte[] bytes = codec.encode(STAMP, m).toByteArray();
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
    assertThat(codec.decode(codec.encode(STAMP, decoded).toByteArray())).isEqualTo(decoded);
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
    Arbitrary<Integer> generation = acceptorGenerations();
    return Arbitraries.oneOf(
        Combinators.combine(id, id, ballot, committed).as(Message.Prepare::new),
        Combinators.combine(
                id, id, ballot, committed,
                proposals().list().ofMaxSize(3).uniqueElements(Proposal::slot), entries, generation)
            .as(Message.Promise::new),
        Combinators.combine(id, id, ballot, slot, block).as(Message.Accept::new),
        Combinators.combine(id, id, ballot, slot, generation).as(Message.Accepted::new),
        Combinators.combine(id, id, ballot, slot, Arbitraries.of(RejectReason.class), ballot, committed)
            .as(Message.Reject::new),
        Combinators.combine(id, id, slot, block).as(Message.Commit::new),
        Combinators.combine(id, id, slot).as(Message.CatchUpRequest::new),
        Combinators.combine(id, id, slot, block.list().ofMaxSize(4)).as(Message.CatchUp::new),
        Combinators.combine(id, id, entries).as(Message.Forward::new));
  }

  /** Member generations: mostly small (1, 2, 3), sometimes anywhere up to the largest int. */
  private static Arbitrary<Integer> memberGenerations() {
    return Arbitraries.frequencyOf(
        Tuple.of(3, Arbitraries.integers().between(1, 3)),
        Tuple.of(1, Arbitraries.integers().between(1, Integer.MAX_VALUE)));
  }

  /** An acceptor's generation in PROMISE and ACCEPTED: a member generation, or 0 (pending). */
  private static Arbitrary<Integer> acceptorGenerations() {
    return Arbitraries.frequencyOf(
        Tuple.of(1, Arbitraries.just(0)), Tuple.of(4, memberGenerations()));
  }

  private Arbitrary<Ballot> ballots() {
    return Arbitraries.oneOf(
        Arbitraries.just(Ballot.ZERO),
        Combinators.combine(
                Arbitraries.longs().between(0, Long.MAX_VALUE), Arbitraries.of(MEMBERS),
                memberGenerations())
            .as(Ballot::new));
  }

  private Arbitrary<List<Entry>> entries() {
    Arbitrary<byte[]> payload = Arbitraries.bytes().array(byte[].class).ofMaxSize(32);
    // Members' entries of any generation (seq anywhere in 1..2^63-1), and control entries
    // (origin 0, a random 63-bit nonce as seq).
    Arbitrary<Entry> memberEntry =
        Combinators.combine(
                Arbitraries.of(MEMBERS), Arbitraries.longs().between(1, Long.MAX_VALUE), payload)
            .as(Entry::new);
    Arbitrary<Entry> generationEntry =
        Combinators.combine(
                Arbitraries.of(MEMBERS), Arbitraries.integers().between(1, 5),
                Arbitraries.longs().between(0, 1000), payload)
            .as((origin, g, n, p) -> new Entry(origin, EntryId.firstSeq(g) + n, p));
    Arbitrary<Entry> controlEntry =
        Combinators.combine(Arbitraries.longs().between(1, Long.MAX_VALUE), payload)
            .as((nonce, p) -> new Entry(EntryId.CONTROL, nonce, p));
    Arbitrary<Entry> entry = Arbitraries.frequencyOf(
        Tuple.of(3, memberEntry), Tuple.of(2, generationEntry), Tuple.of(1, controlEntry));
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
