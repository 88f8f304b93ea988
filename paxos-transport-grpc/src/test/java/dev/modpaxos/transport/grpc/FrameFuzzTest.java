package dev.modpaxos.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.EntryId;
import dev.modpaxos.protocol.Invariants;
import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.Message.RejectReason;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.protocol.Ready;
import dev.modpaxos.protocol.Replica;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.protocol.RoundTrigger;
import dev.modpaxos.protocol.Stamp;
import dev.modpaxos.spi.StoreIdentity;
import dev.modpaxos.spi.StoredState;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * Fuzzes the path a received envelope takes on a node: {@link MessageCodec#decodeStamped(byte[])}
 * (what the gRPC server's Stream handler calls on each envelope of a batch; splitting the batch
 * is fuzzed by {@code BatchFuzzTest}), the addressee check, then {@link Replica#step(Stamp,
 * Message)}, which also drops a frame whose cluster fingerprint was mutated (R2). Frames are
 * random bytes, valid encodings with bytes flipped, inserted or deleted, and splices of two valid
 * encodings. The replica starts from a non-trivial stored state (promise, accepted value, chosen
 * blocks, local log) so that decoded messages meet real state.
 *
 * <p>Properties: nothing but {@link MalformedMessageException} escapes; a rejected frame (by the
 * codec or the address check) leaves the replica's observable state unchanged and produces no
 * effects; a frame that decodes is stepped without an exception and the replica's invariants hold.
 * The one exception allowed is the R4 alarm: a frame whose chosen blocks give one of this node's
 * own logged entry ids another payload makes the replica stop (an id was reused, or the frame
 * lies), and only such a frame may.
 */
class FrameFuzzTest {
  private static final int SELF = 1;
  private static final List<Integer> MEMBERS = List.of(1, 2, 3, 4, 5);
  private static final MessageCodec CODEC = new MessageCodec(MEMBERS);
  private static final ReplicaConfig CONFIG =
      ReplicaConfig.builder(SELF, MEMBERS).trigger(RoundTrigger.ON_DEMAND).seed(7).build();
  private static final StoredState STATE = storedState();
  // The replica's own stamp, so that most mutated frames still pass the cluster check (R2).
  private static final Stamp STAMP = new Stamp(Stamp.clusterFingerprint(CONFIG), 0);

  @Property(tries = 10_000)
  void randomFrames(@ForAll @Size(max = 300) byte[] frame) {
    deliver(frame);
  }

  @Property(tries = 10_000)
  void mutatedFrames(@ForAll("messages") Message seed, @ForAll("mutations") List<int[]> mutations) {
    deliver(ByteMutator.apply(CODEC.encode(STAMP, seed).toByteArray(), mutations));
  }

  @Property(tries = 10_000)
  void splicedFrames(
      @ForAll("messages") Message a, @ForAll("messages") Message b,
      @ForAll int cutA, @ForAll int cutB) {
    deliver(ByteMutator.splice(
        CODEC.encode(STAMP, a).toByteArray(), cutA,
        CODEC.encode(STAMP, b).toByteArray(), cutB));
  }

  /** Delivers one frame to a replica booted from {@link #STATE}, as the server would. */
  static void deliver(byte[] frame) {
    Replica replica = new Replica(CONFIG, STATE);
    assertThat(replica.ready().isEmpty()).isTrue();
    Snapshot before = Snapshot.of(replica);
    MessageCodec.Stamped stamped;
    try {
      stamped = CODEC.decodeStamped(frame);
    } catch (MalformedMessageException rejected) {
      Statistics.collect("rejected by the codec");
      assertThat(rejected.getMessage()).isNotBlank().doesNotContain("\n");
      assertUnchanged(replica, before);
      return;
    }
    Message m = stamped.message();
    if (m.to() != SELF) {
      Statistics.collect("decoded, addressed elsewhere");
      replica.step(stamped.stamp(), m); // the server refuses it; the replica must ignore it too
      assertUnchanged(replica, before);
      return;
    }
    try {
      if (!replica.step(stamped.stamp(), m)) {
        Statistics.collect("decoded, another cluster's: dropped");
        assertThat(replica.rejectedForeign()).isEqualTo(1);
        assertUnchanged(replica, before);
        return;
      }
    } catch (IllegalStateException alarm) {
      Statistics.collect("decoded, R4 alarm: an own entry id with another payload");
      assertThat(alarm.getMessage()).contains("an entry id was reused (R4)");
      assertThat(givesAnOwnEntryAnotherPayload(m)).as("the alarm is justified by %s", m).isTrue();
      return; // the node stops (fail-stop); its state no longer matters
    }
    Statistics.collect("decoded and stepped");
    replica.ready();
    Invariants.check(replica);
  }

  /** True if a block in {@code m} holds an entry of {@link #SELF} that its local log holds too. */
  private static boolean givesAnOwnEntryAnotherPayload(Message m) {
    List<Block> blocks = List.of();
    if (m instanceof Message.Commit c) {
      blocks = List.of(c.block());
    } else if (m instanceof Message.CatchUp c) {
      blocks = c.blocks();
    }
    for (Block b : blocks) {
      for (Entry e : b.entries()) {
        for (Entry mine : STATE.localLog()) {
          if (mine.id().equals(e.id()) && !mine.equals(e)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private static void assertUnchanged(Replica replica, Snapshot before) {
    Ready effects = replica.ready();
    assertThat(effects.isEmpty()).as("effects of a rejected frame: %s", effects).isTrue();
    assertThat(Snapshot.of(replica)).isEqualTo(before);
  }

  /** Everything of a replica a frame could change, as seen from outside. */
  record Snapshot(
      Ballot promised, Proposal accepted, long committedSlot, List<Block> chosen,
      List<Entry> localLog, boolean leader, boolean voting) {
    static Snapshot of(Replica r) {
      return new Snapshot(r.promised(), r.accepted(), r.committedSlot(),
          r.chosenBlocks(1, Integer.MAX_VALUE), r.localLog(), r.isLeader(), r.isVoting());
    }
  }

  /** Node 1 after some history: promised (5, 2), accepted slot 3 at (4, 3), two chosen blocks. */
  private static StoredState storedState() {
    Block one = new Block(List.of(entry(2, 1), entry(3, 1), entry(1, 1)));
    Block two = new Block(List.of(entry(4, 1), entry(2, 2)));
    Proposal accepted = new Proposal(3, new Ballot(4, 3), new Block(List.of(entry(5, 1))));
    return new StoredState(StoreIdentity.founding(CONFIG.clusterId(), SELF), new Ballot(5, 2),
        List.of(accepted), List.of(one, two), List.of(entry(1, 2), entry(1, 3)), Set.of());
  }

  private static Entry entry(int origin, long seq) {
    return new Entry(origin, seq, new byte[] {(byte) origin, (byte) seq});
  }

  // ---- generators: messages near the replica's state, so decoded ones take real paths --------

  @Provide
  Arbitrary<List<int[]>> mutations() {
    return ByteMutator.mutations();
  }

  @Provide
  Arbitrary<Message> messages() {
    Arbitrary<Integer> from = Arbitraries.integers().between(1, 5);
    Arbitrary<Integer> to = Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.just(SELF)), Tuple.of(1, Arbitraries.integers().between(1, 5)));
    Arbitrary<Long> slot = Arbitraries.longs().between(1, 6);
    Arbitrary<Long> committed = Arbitraries.longs().between(0, 6);
    Arbitrary<Integer> generation = Arbitraries.integers().between(1, 3);
    Arbitrary<Integer> acceptorGeneration = Arbitraries.integers().between(0, 3);
    Arbitrary<Ballot> ballot =
        Combinators.combine(Arbitraries.longs().between(0, 8), from, generation).as(Ballot::new);
    // Origin 0 is a control entry (a membership change); seqs of generations 1 to 3.
    Arbitrary<List<Entry>> entries = Combinators.combine(
            Arbitraries.integers().between(0, 5), generation, Arbitraries.longs().between(0, 5),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(8))
        .as((origin, g, n, p) -> new Entry(origin, EntryId.firstSeq(g) + n, p))
        .list().ofMaxSize(4).uniqueElements(Entry::id);
    Arbitrary<Block> block = entries.map(Block::new);
    Arbitrary<Proposal> proposal = Combinators.combine(slot, ballot, block).as(Proposal::new);
    return Arbitraries.oneOf(
        Combinators.combine(from, to, ballot, committed).as(Message.Prepare::new),
        Combinators.combine(from, to, ballot, committed,
            proposal.list().ofMaxSize(3).uniqueElements(Proposal::slot), entries,
            acceptorGeneration).as(Message.Promise::new),
        Combinators.combine(from, to, ballot, slot, block).as(Message.Accept::new),
        Combinators.combine(from, to, ballot, slot, acceptorGeneration)
            .as(Message.Accepted::new),
        Combinators.combine(from, to, ballot, slot, Arbitraries.of(RejectReason.class), ballot,
            committed).as(Message.Reject::new),
        Combinators.combine(from, to, slot, block).as(Message.Commit::new),
        Combinators.combine(from, to, slot).as(Message.CatchUpRequest::new),
        Combinators.combine(from, to, slot, block.list().ofMaxSize(3)).as(Message.CatchUp::new),
        Combinators.combine(from, to, entries).as(Message.Forward::new));
  }
}
