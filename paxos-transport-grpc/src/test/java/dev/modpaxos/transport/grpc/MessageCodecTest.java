package dev.modpaxos.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.Message.RejectReason;
import dev.modpaxos.protocol.MessageTypes;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.transport.grpc.proto.Wire;
import dev.modpaxos.transport.grpc.proto.Wire.Envelope;
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
  private static final Block BLOCK = new Block(List.of(E1, E2));
  private static final Ballot B = new Ballot(3, 2);

  /** One or more samples of every message type, edge cases included. */
  static List<Message> samples() {
    return List.of(
        new Message.Prepare(2, 1, B, 0),
        new Message.Promise(1, 2, B, 4, null, List.of()),
        new Message.Promise(1, 2, B, 4, new Proposal(5, new Ballot(2, 3), BLOCK), List.of(E2)),
        new Message.Accept(2, 3, B, 5, BLOCK),
        new Message.Accept(2, 3, B, 6, Block.EMPTY),
        new Message.Accepted(3, 2, B, 5),
        new Message.Reject(4, 2, B, 5, RejectReason.HIGHER_BALLOT, new Ballot(9, 4), 4),
        new Message.Reject(4, 2, B, 1, RejectReason.SLOT_DECIDED, Ballot.ZERO, 0),
        new Message.Reject(4, 2, B, 5, RejectReason.ACCEPTOR_BEHIND, B, 2),
        new Message.Commit(2, 5, 5, BLOCK),
        new Message.CatchUpRequest(5, 1, 3),
        new Message.CatchUp(1, 5, 3, List.of(BLOCK, Block.EMPTY)),
        new Message.CatchUp(1, 5, 3, List.of()),
        new Message.Forward(4, 2, List.of(E1, E2)));
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
                .setBallot(Wire.Ballot.newBuilder().setRound(1).setNodeId(2)).setSlot(-1))
            .build();
    assertThatThrownBy(() -> codec.decode(negativeSlot)).hasMessage("slot must be >= 1, got -1");
    Envelope zeroFromSlot =
        Envelope.newBuilder().setFrom(1).setTo(2)
            .setCatchUpRequest(Wire.CatchUpRequest.newBuilder().setFromSlot(0)).build();
    assertThatThrownBy(() -> codec.decode(zeroFromSlot)).hasMessageContaining("from_slot");
    Envelope negativeCommitted =
        Envelope.newBuilder().setFrom(1).setTo(2)
            .setPrepare(Wire.Prepare.newBuilder()
                .setBallot(Wire.Ballot.newBuilder().setRound(1).setNodeId(1))
                .setCommittedSlot(-5))
            .build();
    assertThatThrownBy(() -> codec.decode(negativeCommitted)).hasMessageContaining("committed_slot");
  }

  @Test
  void badValuesInsideMessagesAreRejected() {
    Wire.Ballot foreignBallot = Wire.Ballot.newBuilder().setRound(1).setNodeId(77).build();
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
  void bytesThatAreNoEnvelopeAreRejected() {
    assertThatThrownBy(() -> codec.decode(new byte[] {(byte) 0xff, (byte) 0xff, 0x01}))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessageStartingWith("not a modpaxos.v1 envelope");
  }
}
