package dev.modpaxos.protocol;

import java.util.List;
import java.util.Objects;

/**
 * Every message the protocol exchanges. Each names its sender and its addressee; transports move
 * them and may lose, duplicate, delay or reorder any of them (docs/PROTOCOL.md R2).
 *
 * <p>The rule numbers in each record's Javadoc point at docs/PROTOCOL.md.
 */
public sealed interface Message {

  /** {@return the sender's member id} */
  int from();

  /** {@return the addressee's member id} */
  int to();

  /** {@return A short stable name for metrics and logs, e.g. {@code "PREPARE"}} */
  default String type() {
    return MessageTypes.nameOf(this);
  }

  /**
   * R5: phase 1a for slot {@code committedSlot + 1} at {@code ballot}; {@code committedSlot} is
   * the proposer's last committed slot.
   */
  record Prepare(int from, int to, Ballot ballot, long committedSlot) implements Message {
    /**
     * Checks the components.
     *
     * @param from see {@link #from()}
     * @param to see {@link #to()}
     * @param ballot see {@link #ballot()}
     * @param committedSlot see {@link #committedSlot()}
     */
    public Prepare {
      Objects.requireNonNull(ballot, "ballot");
    }

    /** {@return the slot this PREPARE is for: {@code committedSlot + 1}} */
    public long slot() {
      return committedSlot + 1;
    }
  }

  /**
   * R6: phase 1b. {@code accepted} holds the acceptor's votes for the slots above its own {@code
   * committedSlot}, at most one per slot, in slot order (R18); {@code localLog} is the acceptor's
   * local log; {@code generation} is the acceptor's member generation, and a proposer counts the
   * promise only if it is the member's current one (R16, R17).
   */
  record Promise(
      int from,
      int to,
      Ballot ballot,
      long committedSlot,
      List<Proposal> accepted,
      List<Entry> localLog,
      int generation)
      implements Message {
    /**
     * Checks the components and copies the lists.
     *
     * @param from see {@link #from()}
     * @param to see {@link #to()}
     * @param ballot see {@link #ballot()}
     * @param committedSlot see {@link #committedSlot()}
     * @param accepted see {@link #accepted()}
     * @param localLog see {@link #localLog()}
     * @param generation see {@link #generation()}
     */
    public Promise {
      Objects.requireNonNull(ballot, "ballot");
      accepted = List.copyOf(accepted);
      localLog = List.copyOf(localLog);
    }

    /**
     * A promise from a member's first generation with at most one vote ({@code null}: none).
     *
     * @param from the sender
     * @param to the addressee
     * @param ballot the ballot promised
     * @param committedSlot the acceptor's last committed slot
     * @param accepted the acceptor's vote, or null
     * @param localLog the acceptor's local log
     */
    public Promise(
        int from, int to, Ballot ballot, long committedSlot, Proposal accepted,
        List<Entry> localLog) {
      this(from, to, ballot, committedSlot, accepted == null ? List.of() : List.of(accepted),
          localLog, 1);
    }

    /**
     * The vote for {@code slot} this promise carries, or null.
     *
     * @param slot the slot
     * @return the vote, or null
     */
    public Proposal acceptedFor(long slot) {
      for (Proposal p : accepted) {
        if (p.slot() == slot) {
          return p;
        }
      }
      return null;
    }
  }

  /**
   * R8: phase 2a, proposing {@code block} for {@code slot} at {@code ballot}. A leader may have
   * several slots in flight (R18).
   */
  record Accept(int from, int to, Ballot ballot, long slot, Block block) implements Message {
    /**
     * Checks the components.
     *
     * @param from see {@link #from()}
     * @param to see {@link #to()}
     * @param ballot see {@link #ballot()}
     * @param slot see {@link #slot()}
     * @param block see {@link #block()}
     */
    public Accept {
      Objects.requireNonNull(ballot, "ballot");
      Objects.requireNonNull(block, "block");
    }
  }

  /**
   * R8: phase 2b, the acceptor durably accepted {@code slot} at {@code ballot}; {@code generation}
   * is the acceptor's member generation (counted only if current, R16, R17).
   */
  record Accepted(int from, int to, Ballot ballot, long slot, int generation)
      implements Message {
    /**
     * Checks the components.
     *
     * @param from see {@link #from()}
     * @param to see {@link #to()}
     * @param ballot see {@link #ballot()}
     * @param slot see {@link #slot()}
     * @param generation see {@link #generation()}
     */
    public Accepted {
      Objects.requireNonNull(ballot, "ballot");
    }

    /**
     * A vote from a member's first generation.
     *
     * @param from the acceptor
     * @param to the proposer
     * @param ballot the ballot accepted
     * @param slot the slot accepted
     */
    public Accepted(int from, int to, Ballot ballot, long slot) {
      this(from, to, ballot, slot, 1);
    }
  }

  /** Why an acceptor refused a PREPARE or ACCEPT. */
  enum RejectReason {
    /** The acceptor has promised a higher ballot (R5, R8). */
    HIGHER_BALLOT,
    /** The slot is already decided at the acceptor: the proposer is behind (R10). */
    SLOT_DECIDED,
    /** The acceptor lacks earlier blocks and cannot vote on this slot yet (R8, R11). */
    ACCEPTOR_BEHIND
  }

  /**
   * R5/R8/R10: a refusal of the PREPARE or ACCEPT at {@code ballot} for {@code slot}, with the
   * acceptor's promised ballot and last committed slot so the proposer can react.
   */
  record Reject(
      int from,
      int to,
      Ballot ballot,
      long slot,
      RejectReason reason,
      Ballot promised,
      long committedSlot)
      implements Message {
    /**
     * Checks the components.
     *
     * @param from see {@link #from()}
     * @param to see {@link #to()}
     * @param ballot see {@link #ballot()}
     * @param slot see {@link #slot()}
     * @param reason see {@link #reason()}
     * @param promised see {@link #promised()}
     * @param committedSlot see {@link #committedSlot()}
     */
    public Reject {
      Objects.requireNonNull(ballot, "ballot");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(promised, "promised");
    }
  }

  /** R9: {@code block} is chosen for {@code slot}. */
  record Commit(int from, int to, long slot, Block block) implements Message {
    /**
     * Checks the components.
     *
     * @param from see {@link #from()}
     * @param to see {@link #to()}
     * @param slot see {@link #slot()}
     * @param block see {@link #block()}
     */
    public Commit {
      Objects.requireNonNull(block, "block");
    }
  }

  /** R11: asks for the chosen blocks from {@code fromSlot} on. */
  record CatchUpRequest(int from, int to, long fromSlot) implements Message {}

  /** R11: chosen blocks for slots {@code firstSlot, firstSlot + 1, ...}. */
  record CatchUp(int from, int to, long firstSlot, List<Block> blocks) implements Message {
    /**
     * Checks the components and copies the lists.
     *
     * @param from see {@link #from()}
     * @param to see {@link #to()}
     * @param firstSlot see {@link #firstSlot()}
     * @param blocks see {@link #blocks()}
     */
    public CatchUp {
      blocks = List.copyOf(blocks);
    }
  }

  /**
   * R13: a follower hands its local log to the stable leader (fast path). R16/R17: a learner
   * awaiting re-admission sends its surviving local log and its re-admission request (a control
   * entry) to every member.
   */
  record Forward(int from, int to, List<Entry> entries) implements Message {
    /**
     * Checks the components and copies the lists.
     *
     * @param from see {@link #from()}
     * @param to see {@link #to()}
     * @param entries see {@link #entries()}
     */
    public Forward {
      entries = List.copyOf(entries);
    }
  }

  /** R19: asks a member for its read index, for the reads of probe {@code probe}. */
  record ReadIndexRequest(int from, int to, long probe) implements Message {}

  /**
   * R19: the sender's read index for probe {@code probe}: the highest slot it has committed or
   * voted for. {@code generation} is the sender's member generation (counted only if current).
   */
  record ReadIndex(int from, int to, long probe, long index, int generation) implements Message {}

  /**
   * R21: the sender, a voter, asks the addressee to run a full PREPARE now and so take over as
   * the stable leader (leadership transfer). Liveness only: any voter may start a round anyway.
   */
  record Campaign(int from, int to) implements Message {}

  /**
   * R20: the sender holds a snapshot of {@code slot} and no longer the blocks the addressee asked
   * for. Handled by the runtime, which fetches the snapshot if it is ahead.
   */
  record SnapshotOffer(int from, int to, long slot) implements Message {}

  /** R20: asks for the bytes of the sender's snapshot of {@code slot} from {@code offset} on. */
  record SnapshotRequest(int from, int to, long slot, long offset) implements Message {}

  /**
   * R20: bytes {@code offset .. offset + bytes.length} of a snapshot of {@code slot} that is
   * {@code sizeBytes} long with CRC-32C {@code crc32c}.
   */
  record SnapshotChunk(
      int from, int to, long slot, long offset, long sizeBytes, int crc32c, byte[] bytes)
      implements Message {
    /**
     * Copies the bytes and checks that they lie inside the snapshot.
     *
     * @param from see {@link #from()}
     * @param to see {@link #to()}
     * @param slot see {@link #slot()}
     * @param offset see {@link #offset()}
     * @param sizeBytes see {@link #sizeBytes()}
     * @param crc32c see {@link #crc32c()}
     * @param bytes see {@link #bytes()}
     */
    public SnapshotChunk {
      bytes = bytes.clone();
      if (offset < 0 || offset + bytes.length > sizeBytes) {
        throw new IllegalArgumentException(
            "chunk " + offset + "+" + bytes.length + " outside a snapshot of " + sizeBytes);
      }
    }

    /** {@return a copy of the chunk's bytes} */
    @Override
    public byte[] bytes() {
      return bytes.clone();
    }

    /** {@return the chunk's length, without copying it} */
    public int length() {
      return bytes.length;
    }

    /**
     * Writes the chunk's bytes to {@code out}, without a copy.
     *
     * @param out where the bytes go
     * @throws java.io.IOException if {@code out} fails
     */
    public void writeTo(java.io.OutputStream out) throws java.io.IOException {
      out.write(bytes);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SnapshotChunk c && c.from == from && c.to == to && c.slot == slot
          && c.offset == offset && c.sizeBytes == sizeBytes && c.crc32c == crc32c
          && java.util.Arrays.equals(c.bytes, bytes);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(from, to, slot, offset) * 31 + java.util.Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "SnapshotChunk[from=" + from + ", to=" + to + ", slot=" + slot + ", offset=" + offset
          + ", length=" + bytes.length + ", size=" + sizeBytes + "]";
    }
  }
}
