package dev.modpaxos.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.EntryId;
import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.Message.RejectReason;
import dev.modpaxos.protocol.MessageTypes;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.transport.grpc.internal.wire.Wire;
import dev.modpaxos.transport.grpc.internal.wire.Wire.Envelope;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MessageCodecTest {
  private static final List<Integer> MEMBERS = List.of(1, 2, 3, 4, 5);
  private final MessageCodec codec = new MessageCodec(MEMBERS);

  private static final Entry E1 = new Entry(1, 1, new byte[] {1, 2, 3});
  private static final Entry E2 = new Entry(2, 7, new byte[0]);
  /** An entry of node 3's third generation, and a control entry (a membership change). */
  private static final Entry E3G3 = new Entry(3, EntryId.firstSeq(3) + 4, new byte[] {7});
  private static final Entry CONTROL =
      new Entry(EntryId.CONTROL, 0x5DEECE66DL << 20, new byte[] {0, 1, 2});
  private static final Block BLOCK = new Block(List.of(E1, E2));
  private static final Block MIXED = new Block(List.of(CONTROL, E1, E3G3));
  private static final Ballot B = new Ballot(3, 2);
  private static final Ballot B_G7 = new Ballot(3, 2, 7);

  /** One or more samples of every message type, edge cases included. */
  static List<Message> samples() {
    return List.of(
        new Message.Prepare(2, 1, B, 0),
        new Message.Prepare(2, 1, B_G7, 0),
        new Message.Prepare(2, 1, Ballot.ZERO, 3),
        new Message.Promise(1, 2, B, 4, null, List.of()),
        new Message.Promise(1, 2, B, 4, new Proposal(5, new Ballot(2, 3), BLOCK), List.of(E2)),
        new Message.Promise(
            1, 2, B_G7, 4, List.of(new Proposal(5, new Ballot(2, 3, 2), MIXED),
                new Proposal(6, new Ballot(2, 3, 2), BLOCK)), List.of(CONTROL), 5),
        new Message.Promise(1, 2, B, 0, List.of(), List.of(), 0),
        new Message.Accept(2, 3, B, 5, BLOCK),
        new Message.Accept(2, 3, B_G7, 5, MIXED),
        new Message.Accept(2, 3, B, 6, Block.EMPTY),
        new Message.Accepted(3, 2, B, 5),
        new Message.Accepted(3, 2, B_G7, 5, 4),
        new Message.Reject(4, 2, B, 5, RejectReason.HIGHER_BALLOT, new Ballot(9, 4), 4),
        new Message.Reject(4, 2, B_G7, 5, RejectReason.HIGHER_BALLOT, new Ballot(9, 4, 2), 4),
        new Message.Reject(4, 2, B, 1, RejectReason.SLOT_DECIDED, Ballot.ZERO, 0),
        new Message.Reject(4, 2, B, 5, RejectReason.ACCEPTOR_BEHIND, B, 2),
        new Message.Commit(2, 5, 5, BLOCK),
        new Message.Commit(2, 5, 5, MIXED),
        new Message.CatchUpRequest(5, 1, 3),
        new Message.CatchUp(1, 5, 3, List.of(BLOCK, Block.EMPTY, MIXED)),
        new Message.CatchUp(1, 5, 3, List.of()),
        new Message.Forward(4, 2, List.of(E1, E2)),
        new Message.Forward(4, 2, List.of(CONTROL, E3G3)),
        new Message.ReadIndexRequest(3, 1, 7),
        new Message.ReadIndex(1, 3, 7, 0, 1),
        new Message.ReadIndex(1, 3, Long.MAX_VALUE, 42, 0),
        new Message.SnapshotOffer(2, 4, 1000),
        new Message.SnapshotRequest(4, 2, 1000, 0),
        new Message.SnapshotRequest(4, 2, 1000, 262144),
        new Message.SnapshotChunk(2, 4, 1000, 262144, 262150, 0xCAFEBABE, new byte[] {1, 2, 3}),
        new Message.Campaign(1, 3));
  }

  @Test
  void everyMessageTypeRoundTripsThroughBytes() {
    for (Message m : samples()) {
      byte[] bytes = codec.encode(m).toByteArray();
      assertThat(codec.decode(bytes)).as(m.type()).isEqualTo(m);
      assertThat(MessageCodec.typeOf(codec.encode(m))).isEqualTo(m.type());
    }
    Set<String> covered = samples().stream().map(Message::type).collect(Collectors.toSet());
    assertThat(covered).containsExactlyInAnyOrderElementsOf(MessageTypes.ALL);
  }

  @Test
  void everyRejectReasonHasAWireValue() {
    Set<String> wire = new TreeSet<>();
    for (Wire.RejectReason r : Wire.RejectReason.values()) {
      wire.add(r.name());
    }
    for (RejectReason r : RejectReason.values()) {
      assertThat(wire).contains(r.name());
    }
  }

  @Test
  void aSenderOutsideTheMembershipIsRejected() {
    Envelope e = codec.encode(new Message.Accepted(3, 2, B, 5)).toBuilder().setFrom(9).build();
    assertThatThrownBy(() -> codec.decode(e))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessage("from 9 is not a member of [1, 2, 3, 4, 5]");
  }

  @Test
  void anAddresseeOutsideTheMembershipIsRejected() {
    Envelope e = codec.encode(new Message.Accepted(3, 2, B, 5)).toBuilder().setTo(0).build();
    assertThatThrownBy(() -> codec.decode(e)).hasMessageContaining("to 0 is not a member");
  }

  @Test
  void aMissingBodyOrAnUnknownOneofCaseIsRejected() {
    assertThatThrownBy(() -> codec.decode(Envelope.newBuilder().setFrom(1).setTo(2).build()))
        .hasMessageContaining("carries no message");
    Envelope future = // a message kind from a newer schema: field 99 is unknown here
        Envelope.newBuilder()
            .setFrom(1)
            .setTo(2)
            .setUnknownFields(
                UnknownFieldSet.newBuilder()
                    .addField(
                        99,
                        UnknownFieldSet.Field.newBuilder()
                            .addLengthDelimited(ByteString.copyFromUtf8("x"))
                            .build())
                    .build())
            .build();
    assertThatThrownBy(() -> codec.decode(future.toByteArray()))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessageContaining("carries no message");
  }

  @Test
  void missingRequiredFieldsAreRejected() {
    Envelope noBallot =
        Envelope.newBuilder().setFrom(1).setTo(2)
            .setAccepted(Wire.Accepted.newBuilder().setSlot(1)).build();
    assertThatThrownBy(() -> codec.decode(noBallot)).hasMessage("missing ballot");
    Envelope noBlock =
        Envelope.newBuilder().setFrom(1).setTo(2).setCommit(Wire.Commit.newBuilder().setSlot(1))
            .build();
    assertThatThrownBy(() -> codec.decode(noBlock)).hasMessage("missing block");
    Envelope noPromised =
        codec.encode(new Message.Reject(4, 2, B, 5, RejectReason.HIGHER_BALLOT, B, 4)).toBuilder()
            .setReject(
                codec.encode(new Message.Reject(4, 2, B, 5, RejectReason.HIGHER_BALLOT, B, 4))
                    .getReject().toBuilder().clearPromised())
            .build();
    assertThatThrownBy(() -> codec.decode(noPromised)).hasMessageContaining("missing promised");
  }

  @Test
  void negativeOrZeroSlotsAreRejected() {
    Envelope negativeSlot =
        codec.encode(new Message.Accepted(3, 2, B, 5)).toBuilder()
            .setAccepted(Wire.Accepted.newBuilder()
                .setBallot(Wire.Ballot.newBuilder().setRound(1).setNodeId(2).setGeneration(1))
                .setSlot(-1))
            .build();
    assertThatThrownBy(() -> codec.decode(negativeSlot)).hasMessage("slot must be >= 1, got -1");
    Envelope zeroFromSlot =
        Envelope.newBuilder().setFrom(1).setTo(2)
            .setCatchUpRequest(Wire.CatchUpRequest.newBuilder().setFromSlot(0)).build();
    assertThatThrownBy(() -> codec.decode(zeroFromSlot)).hasMessageContaining("from_slot");
    Envelope negativeCommitted =
        Envelope.newBuilder().setFrom(1).setTo(2)
            .setPrepare(Wire.Prepare.newBuilder()
                .setBallot(Wire.Ballot.newBuilder().setRound(1).setNodeId(1).setGeneration(1))
                .setCommittedSlot(-5))
            .build();
    assertThatThrownBy(() -> codec.decode(negativeCommitted)).hasMessageContaining("committed_slot");
  }

  @Test
  void badValuesInsideMessagesAreRejected() {
    Wire.Ballot foreignBallot =
        Wire.Ballot.newBuilder().setRound(1).setNodeId(77).setGeneration(1).build();
    assertThatThrownBy(() -> codec.decode(Envelope.newBuilder().setFrom(1).setTo(2)
            .setAccepted(Wire.Accepted.newBuilder().setBallot(foreignBallot).setSlot(1)).build()))
        .hasMessageContaining("ballot node 77 is not a member");
    Wire.Entry seqZero = Wire.Entry.newBuilder().setOrigin(1).setSeq(0).build();
    assertThatThrownBy(() -> codec.decode(Envelope.newBuilder().setFrom(1).setTo(2)
            .setForward(Wire.Forward.newBuilder().addEntries(seqZero)).build()))
        .hasMessageContaining("entry seq must be >= 1");
    Wire.Entry e = Wire.Entry.newBuilder().setOrigin(1).setSeq(3).build();
    assertThatThrownBy(() -> codec.decode(Envelope.newBuilder().setFrom(1).setTo(2)
            .setCommit(Wire.Commit.newBuilder().setSlot(1)
                .setBlock(Wire.Block.newBuilder().addEntries(e).addEntries(e)))
            .build()))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessageContaining("duplicate entry 1:3");
    Envelope unknownReason =
        codec.encode(new Message.Reject(4, 2, B, 5, RejectReason.HIGHER_BALLOT, B, 4));
    Envelope withReason9 =
        unknownReason.toBuilder()
            .setReject(unknownReason.getReject().toBuilder().setReasonValue(9)).build();
    assertThatThrownBy(() -> codec.decode(withReason9)).hasMessage("REJECT: unknown reason 9");
  }

  @Test
  void generationsSurviveTheWire() {
    Message.Promise p =
        (Message.Promise) codec.decode(codec.encode(
            new Message.Promise(1, 2, B_G7, 4, List.of(), List.of(), 5)).toByteArray());
    assertThat(p.ballot().generation()).isEqualTo(7);
    assertThat(p.generation()).isEqualTo(5);
    Message.Accepted a =
        (Message.Accepted) codec.decode(codec.encode(
            new Message.Accepted(3, 2, B_G7, 5, 4)).toByteArray());
    assertThat(a.ballot()).isEqualTo(B_G7).isNotEqualTo(B);
    assertThat(a.generation()).isEqualTo(4);
  }

  @Test
  void ballotGenerationsOutOfRangeAreRejected() {
    Wire.Ballot generationZero =
        Wire.Ballot.newBuilder().setRound(1).setNodeId(2).setGeneration(0).build();
    assertThatThrownBy(() -> codec.decode(accepted(generationZero, 0)))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessage("ballot generation must be >= 1, got 0");
    Wire.Ballot negative =
        Wire.Ballot.newBuilder().setRound(1).setNodeId(2).setGeneration(-3).build();
    assertThatThrownBy(() -> codec.decode(accepted(negative, 0)))
        .hasMessage("ballot generation must be >= 1, got -3");
    // The zero ballot is exactly (0, 0, 0): node 0 at another generation is not a ballot.
    Wire.Ballot zeroNodeWithGeneration =
        Wire.Ballot.newBuilder().setRound(0).setNodeId(0).setGeneration(1).build();
    assertThatThrownBy(() -> codec.decode(accepted(zeroNodeWithGeneration, 0)))
        .hasMessageContaining("ballot node 0 is not a member");
  }

  @Test
  void negativeAcceptorGenerationsAreRejected() {
    Wire.Ballot ok = Wire.Ballot.newBuilder().setRound(1).setNodeId(2).setGeneration(1).build();
    assertThatThrownBy(() -> codec.decode(accepted(ok, -1)))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessage("generation must be >= 0, got -1");
    Envelope promise =
        Envelope.newBuilder().setFrom(1).setTo(2)
            .setPromise(Wire.Promise.newBuilder().setBallot(ok).setGeneration(-2)).build();
    assertThatThrownBy(() -> codec.decode(promise)).hasMessage("generation must be >= 0, got -2");
  }

  @Test
  void controlEntriesAreAcceptedButNoOtherNonMemberOrigin() {
    Wire.Entry control =
        Wire.Entry.newBuilder().setOrigin(EntryId.CONTROL).setSeq(Long.MAX_VALUE).build();
    Message decoded = codec.decode(Envelope.newBuilder().setFrom(1).setTo(2)
        .setForward(Wire.Forward.newBuilder().addEntries(control)).build());
    assertThat(((Message.Forward) decoded).entries()).singleElement()
        .satisfies(en -> assertThat(en.id().isControl()).isTrue());
    for (int origin : new int[] {-1, 6, 99}) {
      Wire.Entry foreign = Wire.Entry.newBuilder().setOrigin(origin).setSeq(1).build();
      assertThatThrownBy(() -> codec.decode(Envelope.newBuilder().setFrom(1).setTo(2)
              .setCommit(Wire.Commit.newBuilder().setSlot(1)
                  .setBlock(Wire.Block.newBuilder().addEntries(control).addEntries(foreign)))
              .build()))
          .isInstanceOf(MalformedMessageException.class)
          .hasMessage("entry origin " + origin + " is not a member of [1, 2, 3, 4, 5]");
    }
    Wire.Entry controlSeqZero = Wire.Entry.newBuilder().setOrigin(EntryId.CONTROL).build();
    assertThatThrownBy(() -> codec.decode(Envelope.newBuilder().setFrom(1).setTo(2)
            .setForward(Wire.Forward.newBuilder().addEntries(controlSeqZero)).build()))
        .hasMessage("entry seq must be >= 1, got 0");
  }

  @Test
  void aControlOriginIsNoMemberAnywhereElse() {
    Envelope fromControl =
        codec.encode(new Message.Accepted(3, 2, B, 5)).toBuilder().setFrom(EntryId.CONTROL).build();
    assertThatThrownBy(() -> codec.decode(fromControl))
        .hasMessage("from 0 is not a member of [1, 2, 3, 4, 5]");
  }

  private static Envelope accepted(Wire.Ballot ballot, int generation) {
    return Envelope.newBuilder().setFrom(3).setTo(2)
        .setAccepted(Wire.Accepted.newBuilder().setBallot(ballot).setSlot(1)
            .setGeneration(generation))
        .build();
  }

  @Test
  void bytesThatAreNoEnvelopeAreRejected() {
    assertThatThrownBy(() -> codec.decode(new byte[] {(byte) 0xff, (byte) 0xff, 0x01}))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessageStartingWith("not a modpaxos.v1 envelope");
  }
}
