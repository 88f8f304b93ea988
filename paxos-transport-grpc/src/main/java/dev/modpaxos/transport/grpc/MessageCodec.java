package dev.modpaxos.transport.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.EntryId;
import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.Message.RejectReason;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.transport.grpc.internal.wire.Wire;
import dev.modpaxos.transport.grpc.internal.wire.Wire.Envelope;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * Maps protocol {@link Message} records to the {@code modpaxos.v1} protobuf {@link Envelope} and
 * back. The only place where protobuf meets the core. Thread-safe (immutable).
 *
 * <p>{@link #decode} validates everything before building a record: required fields present,
 * slots, sequence numbers and generations in range, the reject reason known, and every node id
 * (sender, addressee, ballot owner, entry origin) a member. The one id that is not a member is
 * {@link EntryId#CONTROL}, the origin of control entries (membership changes), which entry lists
 * may carry. Anything else throws {@link MalformedMessageException} with a one-line reason, so no
 * malformed value reaches a node.
 */
final class MessageCodec {
  private final Set<Integer> members;

  /** A codec for a cluster with the given member ids. */
  MessageCodec(Collection<Integer> members) {
    this.members = Collections.unmodifiableSortedSet(new TreeSet<>(members));
  }

  // ---- encode -------------------------------------------------------------------------------

  /** The envelope carrying {@code m}. Never fails for a message the core can build. */
  Envelope encode(Message m) {
    Envelope.Builder e = Envelope.newBuilder().setFrom(m.from()).setTo(m.to());
    if (m instanceof Message.Prepare p) {
      e.setPrepare(
          Wire.Prepare.newBuilder().setBallot(ballot(p.ballot())).setCommittedSlot(p.committedSlot()));
    } else if (m instanceof Message.Promise p) {
      Wire.Promise.Builder b =
          Wire.Promise.newBuilder()
              .setBallot(ballot(p.ballot()))
              .setCommittedSlot(p.committedSlot())
              .addAllLocalLog(toWire(p.localLog()))
              .setGeneration(p.generation());
      for (Proposal a : p.accepted()) {
        b.addAccepted(proposal(a));
      }
      e.setPromise(b);
    } else if (m instanceof Message.Accept a) {
      e.setAccept(
          Wire.Accept.newBuilder()
              .setBallot(ballot(a.ballot()))
              .setSlot(a.slot())
              .setBlock(block(a.block())));
    } else if (m instanceof Message.Accepted a) {
      e.setAccepted(
          Wire.Accepted.newBuilder()
              .setBallot(ballot(a.ballot()))
              .setSlot(a.slot())
              .setGeneration(a.generation()));
    } else if (m instanceof Message.Reject r) {
      e.setReject(
          Wire.Reject.newBuilder()
              .setBallot(ballot(r.ballot()))
              .setSlot(r.slot())
              .setReason(Wire.RejectReason.valueOf(r.reason().name()))
              .setPromised(ballot(r.promised()))
              .setCommittedSlot(r.committedSlot()));
    } else if (m instanceof Message.Commit c) {
      e.setCommit(Wire.Commit.newBuilder().setSlot(c.slot()).setBlock(block(c.block())));
    } else if (m instanceof Message.CatchUpRequest c) {
      e.setCatchUpRequest(Wire.CatchUpRequest.newBuilder().setFromSlot(c.fromSlot()));
    } else if (m instanceof Message.CatchUp c) {
      Wire.CatchUp.Builder b = Wire.CatchUp.newBuilder().setFirstSlot(c.firstSlot());
      c.blocks().forEach(bl -> b.addBlocks(block(bl)));
      e.setCatchUp(b);
    } else if (m instanceof Message.Forward f) {
      e.setForward(Wire.Forward.newBuilder().addAllEntries(toWire(f.entries())));
    } else if (m instanceof Message.ReadIndexRequest r) {
      e.setReadIndexRequest(Wire.ReadIndexRequest.newBuilder().setProbe(r.probe()));
    } else if (m instanceof Message.ReadIndex r) {
      e.setReadIndex(
          Wire.ReadIndex.newBuilder()
              .setProbe(r.probe())
              .setIndex(r.index())
              .setGeneration(r.generation()));
    } else if (m instanceof Message.SnapshotOffer o) {
      e.setSnapshotOffer(Wire.SnapshotOffer.newBuilder().setSlot(o.slot()));
    } else if (m instanceof Message.SnapshotRequest r) {
      e.setSnapshotRequest(
          Wire.SnapshotRequest.newBuilder().setSlot(r.slot()).setOffset(r.offset()));
    } else if (m instanceof Message.SnapshotChunk c) {
      e.setSnapshotChunk(
          Wire.SnapshotChunk.newBuilder()
              .setSlot(c.slot())
              .setOffset(c.offset())
              .setSizeBytes(c.sizeBytes())
              .setCrc32C(c.crc32c())
              .setBytes(ByteString.copyFrom(c.bytes())));
    } else if (m instanceof Message.Campaign) {
      e.setCampaign(Wire.Campaign.getDefaultInstance());
    }
    return e.build();
  }

  private static Wire.Ballot ballot(Ballot b) {
    return Wire.Ballot.newBuilder()
        .setRound(b.round())
        .setNodeId(b.nodeId())
        .setGeneration(b.generation())
        .build();
  }

  private static List<Wire.Entry> toWire(List<Entry> entries) {
    List<Wire.Entry> out = new ArrayList<>(entries.size());
    for (Entry en : entries) {
      out.add(
          Wire.Entry.newBuilder()
              .setOrigin(en.origin())
              .setSeq(en.seq())
              .setPayload(ByteString.copyFrom(en.payload()))
              .build());
    }
    return out;
  }

  private static Wire.Block block(Block b) {
    return Wire.Block.newBuilder().addAllEntries(toWire(b.entries())).build();
  }

  private static Wire.Proposal proposal(Proposal p) {
    return Wire.Proposal.newBuilder()
        .setSlot(p.slot())
        .setBallot(ballot(p.ballot()))
        .setBlock(block(p.block()))
        .build();
  }

  /**
   * The type name ({@code Message.type()}) of the message {@code e} carries, read without
   * validating it; {@code "INVALID"} when it carries none.
   */
  static String typeOf(Envelope e) {
    return switch (e.getBodyCase()) {
      case PREPARE -> "PREPARE";
      case PROMISE -> "PROMISE";
      case ACCEPT -> "ACCEPT";
      case ACCEPTED -> "ACCEPTED";
      case REJECT -> "REJECT";
      case COMMIT -> "COMMIT";
      case CATCH_UP_REQUEST -> "CATCHUP_REQUEST";
      case CATCH_UP -> "CATCHUP";
      case FORWARD -> "FORWARD";
      case READ_INDEX_REQUEST -> "READ_INDEX_REQUEST";
      case READ_INDEX -> "READ_INDEX";
      case SNAPSHOT_OFFER -> "SNAPSHOT_OFFER";
      case SNAPSHOT_REQUEST -> "SNAPSHOT_REQUEST";
      case SNAPSHOT_CHUNK -> "SNAPSHOT_CHUNK";
      case CAMPAIGN -> "CAMPAIGN";
      case BODY_NOT_SET -> TransportStats.INVALID;
    };
  }

  // ---- decode -------------------------------------------------------------------------------

  /** Parses and validates one serialized envelope. */
  Message decode(byte[] bytes) {
    try {
      return decode(Envelope.parseFrom(bytes));
    } catch (InvalidProtocolBufferException e) {
      throw new MalformedMessageException("not a modpaxos.v1 envelope: " + e.getMessage(), e);
    }
  }

  /**
   * Validates {@code e} and builds the record it carries; the exception names the type {@code e}
   * claimed to carry.
   */
  Message decode(Envelope e) {
    try {
      return decodeUnchecked(e);
    } catch (MalformedMessageException ex) {
      throw new MalformedMessageException(typeOf(e), ex.getMessage(), ex.getCause());
    }
  }

  private Message decodeUnchecked(Envelope e) {
    int from = member("from", e.getFrom());
    int to = member("to", e.getTo());
    try {
      return switch (e.getBodyCase()) {
        case PREPARE -> new Message.Prepare(
            from, to, ballot(e.getPrepare().hasBallot(), e.getPrepare().getBallot()),
            atLeast("committed_slot", e.getPrepare().getCommittedSlot(), 0));
        case PROMISE -> promise(from, to, e.getPromise());
        case ACCEPT -> new Message.Accept(
            from, to, ballot(e.getAccept().hasBallot(), e.getAccept().getBallot()),
            atLeast("slot", e.getAccept().getSlot(), 1),
            block(e.getAccept().hasBlock(), e.getAccept().getBlock()));
        case ACCEPTED -> new Message.Accepted(
            from, to, ballot(e.getAccepted().hasBallot(), e.getAccepted().getBallot()),
            atLeast("slot", e.getAccepted().getSlot(), 1),
            (int) atLeast("generation", e.getAccepted().getGeneration(), 0));
        case REJECT -> reject(from, to, e.getReject());
        case COMMIT -> new Message.Commit(
            from, to, atLeast("slot", e.getCommit().getSlot(), 1),
            block(e.getCommit().hasBlock(), e.getCommit().getBlock()));
        case CATCH_UP_REQUEST -> new Message.CatchUpRequest(
            from, to, atLeast("from_slot", e.getCatchUpRequest().getFromSlot(), 1));
        case CATCH_UP -> catchUp(from, to, e.getCatchUp());
        case FORWARD -> new Message.Forward(from, to, entries(e.getForward().getEntriesList()));
        case READ_INDEX_REQUEST -> new Message.ReadIndexRequest(
            from, to, atLeast("probe", e.getReadIndexRequest().getProbe(), 1));
        case READ_INDEX -> new Message.ReadIndex(
            from, to, atLeast("probe", e.getReadIndex().getProbe(), 1),
            atLeast("index", e.getReadIndex().getIndex(), 0),
            (int) atLeast("generation", e.getReadIndex().getGeneration(), 0));
        case SNAPSHOT_OFFER -> new Message.SnapshotOffer(
            from, to, atLeast("slot", e.getSnapshotOffer().getSlot(), 1));
        case SNAPSHOT_REQUEST -> new Message.SnapshotRequest(
            from, to, atLeast("slot", e.getSnapshotRequest().getSlot(), 1),
            atLeast("offset", e.getSnapshotRequest().getOffset(), 0));
        case SNAPSHOT_CHUNK -> new Message.SnapshotChunk(
            from, to, atLeast("slot", e.getSnapshotChunk().getSlot(), 1),
            atLeast("offset", e.getSnapshotChunk().getOffset(), 0),
            atLeast("size_bytes", e.getSnapshotChunk().getSizeBytes(), 1),
            e.getSnapshotChunk().getCrc32C(), e.getSnapshotChunk().getBytes().toByteArray());
        case CAMPAIGN -> new Message.Campaign(from, to);
        case BODY_NOT_SET -> throw new MalformedMessageException(
            "envelope carries no message (unknown or missing body)");
      };
    } catch (IllegalArgumentException | NullPointerException ex) {
      // A record constructor refused a value the checks above let through (e.g. a duplicate entry).
      throw new MalformedMessageException(
          e.getBodyCase() + " from " + from + ": " + ex.getMessage(), ex);
    }
  }

  private Message promise(int from, int to, Wire.Promise p) {
    java.util.List<Proposal> accepted = new java.util.ArrayList<>();
    java.util.Set<Long> slots = new java.util.HashSet<>();
    for (Wire.Proposal a : p.getAcceptedList()) {
      long slot = atLeast("accepted.slot", a.getSlot(), 1);
      if (!slots.add(slot)) {
        throw new MalformedMessageException("two accepted values for slot " + slot);
      }
      accepted.add(
          new Proposal(slot, ballot(a.hasBallot(), a.getBallot()), block(a.hasBlock(), a.getBlock())));
    }
    return new Message.Promise(
        from, to, ballot(p.hasBallot(), p.getBallot()),
        atLeast("committed_slot", p.getCommittedSlot(), 0), accepted,
        entries(p.getLocalLogList()), (int) atLeast("generation", p.getGeneration(), 0));
  }

  private Message reject(int from, int to, Wire.Reject r) {
    RejectReason reason =
        switch (r.getReason()) {
          case HIGHER_BALLOT -> RejectReason.HIGHER_BALLOT;
          case SLOT_DECIDED -> RejectReason.SLOT_DECIDED;
          case ACCEPTOR_BEHIND -> RejectReason.ACCEPTOR_BEHIND;
          default -> throw new MalformedMessageException(
              "REJECT: unknown reason " + r.getReasonValue());
        };
    if (!r.hasPromised()) {
      throw new MalformedMessageException("REJECT: missing promised ballot");
    }
    return new Message.Reject(
        from, to, ballot(r.hasBallot(), r.getBallot()), atLeast("slot", r.getSlot(), 1), reason,
        ballot(true, r.getPromised()), atLeast("committed_slot", r.getCommittedSlot(), 0));
  }

  private Message catchUp(int from, int to, Wire.CatchUp c) {
    List<Block> blocks = new ArrayList<>(c.getBlocksCount());
    for (Wire.Block b : c.getBlocksList()) {
      blocks.add(block(true, b));
    }
    return new Message.CatchUp(from, to, atLeast("first_slot", c.getFirstSlot(), 1), blocks);
  }

  private int member(String field, int id) {
    if (!members.contains(id)) {
      throw new MalformedMessageException(field + " " + id + " is not a member of " + members);
    }
    return id;
  }

  private static long atLeast(String field, long value, long min) {
    if (value < min) {
      throw new MalformedMessageException(field + " must be >= " + min + ", got " + value);
    }
    return value;
  }

  /** A ballot owned by a member at a generation >= 1, or {@link Ballot#ZERO}. */
  private Ballot ballot(boolean present, Wire.Ballot b) {
    if (!present) {
      throw new MalformedMessageException("missing ballot");
    }
    if (b.getRound() == 0 && b.getNodeId() == 0 && b.getGeneration() == 0) {
      return Ballot.ZERO;
    }
    member("ballot node", b.getNodeId());
    return new Ballot(
        atLeast("ballot round", b.getRound(), 0),
        b.getNodeId(),
        (int) atLeast("ballot generation", b.getGeneration(), 1));
  }

  private Block block(boolean present, Wire.Block b) {
    if (!present) {
      throw new MalformedMessageException("missing block");
    }
    return new Block(entries(b.getEntriesList()));
  }

  private List<Entry> entries(List<Wire.Entry> in) {
    List<Entry> out = new ArrayList<>(in.size());
    for (Wire.Entry en : in) {
      int origin = en.getOrigin() == EntryId.CONTROL ? EntryId.CONTROL
          : member("entry origin", en.getOrigin());
      out.add(
          new Entry(origin, atLeast("entry seq", en.getSeq(), 1), en.getPayload().toByteArray()));
    }
    return out;
  }
}
