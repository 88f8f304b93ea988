package dev.modpaxos.spi;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.protocol.SlotBlock;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a {@link Store} read back at boot.
 *
 * @param identity whose state this is, or null for a store that was never initialised (empty)
 * @param promised the highest promised ballot, {@link Ballot#ZERO} if none
 * @param accepted the acceptor's votes the store kept, at most one per slot, in slot order (R8,
 *     R18): each is the last value accepted for its slot; empty if none
 * @param chosen the chosen blocks; element {@code i} is slot {@code compactedSlot + i + 1}; the
 *     longest run of slots without a gap that survived
 * @param localLog the local log in append order
 * @param losses what the store found lost or damaged since the last synced {@link
 *     Store#saveIdentity}; empty when intact (R16)
 * @param compactedSlot the blocks of slots up to this one were dropped ({@link
 *     Store#compactThrough}); 0 if none
 * @param snapshot the newest verified snapshot ({@link Store#openSnapshot}), or null; its slot
 *     is at least {@code compactedSlot}
 * @param chosenAhead intact chosen blocks the store found above a missing or damaged slot, in
 *     slot order, each above {@code compactedSlot + chosen.size() + 1}; the store set aside only
 *     what was damaged, and the node applies these once catch-up fills the gap (R16); empty if
 *     none. A store need not keep them on disk: they are chosen, so peers have them too
 * @param idFloor the last {@link Store#saveIdFloor id floor} written (R15), {@link IdFloor#NONE}
 *     if none; always {@code NONE} for a store that does not {@link Store#keepsIdFloor keep one}
 */
public record StoredState(
    StoreIdentity identity,
    Ballot promised,
    List<Proposal> accepted,
    List<Block> chosen,
    List<Entry> localLog,
    Set<StateLoss> losses,
    long compactedSlot,
    StoredSnapshot snapshot,
    List<SlotBlock> chosenAhead,
    IdFloor idFloor) {

  /** The state of a store that was never written. */
  public static final StoredState EMPTY =
      new StoredState(null, Ballot.ZERO, List.of(), List.of(), List.of(), Set.of());

  /**
   * A state without an id floor (R15).
   *
   * @param identity see {@link #identity()}
   * @param promised see {@link #promised()}
   * @param accepted see {@link #accepted()}
   * @param chosen see {@link #chosen()}
   * @param localLog see {@link #localLog()}
   * @param losses see {@link #losses()}
   * @param compactedSlot see {@link #compactedSlot()}
   * @param snapshot see {@link #snapshot()}
   * @param chosenAhead see {@link #chosenAhead()}
   */
  public StoredState(
      StoreIdentity identity,
      Ballot promised,
      List<Proposal> accepted,
      List<Block> chosen,
      List<Entry> localLog,
      Set<StateLoss> losses,
      long compactedSlot,
      StoredSnapshot snapshot,
      List<SlotBlock> chosenAhead) {
    this(identity, promised, accepted, chosen, localLog, losses, compactedSlot, snapshot,
        chosenAhead, IdFloor.NONE);
  }

  /**
   * A state with nothing set aside above a gap.
   *
   * @param identity see {@link #identity()}
   * @param promised see {@link #promised()}
   * @param accepted see {@link #accepted()}
   * @param chosen see {@link #chosen()}
   * @param localLog see {@link #localLog()}
   * @param losses see {@link #losses()}
   * @param compactedSlot see {@link #compactedSlot()}
   * @param snapshot see {@link #snapshot()}
   */
  public StoredState(
      StoreIdentity identity,
      Ballot promised,
      List<Proposal> accepted,
      List<Block> chosen,
      List<Entry> localLog,
      Set<StateLoss> losses,
      long compactedSlot,
      StoredSnapshot snapshot) {
    this(identity, promised, accepted, chosen, localLog, losses, compactedSlot, snapshot,
        List.of());
  }

  /**
   * A state without compaction or snapshot.
   *
   * @param identity see {@link #identity()}
   * @param promised see {@link #promised()}
   * @param accepted see {@link #accepted()}
   * @param chosen see {@link #chosen()}
   * @param localLog see {@link #localLog()}
   * @param losses see {@link #losses()}
   */
  public StoredState(
      StoreIdentity identity,
      Ballot promised,
      List<Proposal> accepted,
      List<Block> chosen,
      List<Entry> localLog,
      Set<StateLoss> losses) {
    this(identity, promised, accepted, chosen, localLog, losses, 0, null, List.of(), IdFloor.NONE);
  }

  /**
   * Copies the collections; orders {@code accepted} by slot.
   *
   * @param identity see {@link #identity()}
   * @param promised see {@link #promised()}
   * @param accepted see {@link #accepted()}
   * @param chosen see {@link #chosen()}
   * @param localLog see {@link #localLog()}
   * @param losses see {@link #losses()}
   * @param compactedSlot see {@link #compactedSlot()}
   * @param snapshot see {@link #snapshot()}
   * @param chosenAhead see {@link #chosenAhead()}
   * @param idFloor see {@link #idFloor()}
   */
  public StoredState {
    Objects.requireNonNull(promised, "promised");
    Objects.requireNonNull(idFloor, "idFloor");
    if (compactedSlot < 0 || (snapshot != null && snapshot.slot() < compactedSlot)
        || (snapshot == null && compactedSlot > 0)) {
      throw new IllegalArgumentException(
          "compacted through slot " + compactedSlot + " but the snapshot is "
              + (snapshot == null ? "missing" : "of slot " + snapshot.slot()));
    }
    accepted = inSlotOrder(accepted);
    chosen = List.copyOf(chosen);
    localLog = List.copyOf(localLog);
    losses = losses.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(losses));
    chosenAhead = List.copyOf(chosenAhead);
    long after = compactedSlot + chosen.size() + 1;
    for (SlotBlock b : chosenAhead) {
      if (b.slot() <= after) {
        throw new IllegalArgumentException(
            "a block set aside for slot " + b.slot() + " is not above the gap at slot " + after);
      }
      after = b.slot();
    }
  }

  /** {@return true when nothing was ever written: no identity, promise, value, block or entry} */
  public boolean isEmpty() {
    return identity == null
        && promised.equals(Ballot.ZERO)
        && accepted.isEmpty()
        && chosen.isEmpty()
        && localLog.isEmpty()
        && snapshot == null
        && chosenAhead.isEmpty();
  }

  /** {@return the highest slot this state holds chosen: by its blocks or by its snapshot (R20)} */
  public long chosenSlot() {
    long byBlocks = compactedSlot + chosen.size();
    return snapshot == null ? byBlocks : Math.max(byBlocks, snapshot.slot());
  }

  /** {@return the vote for the highest slot, or null if there is none} */
  public Proposal lastAccepted() {
    return accepted.isEmpty() ? null : accepted.get(accepted.size() - 1);
  }

  private static List<Proposal> inSlotOrder(List<Proposal> accepted) {
    Objects.requireNonNull(accepted, "accepted");
    java.util.TreeMap<Long, Proposal> bySlot = new java.util.TreeMap<>();
    for (Proposal p : accepted) {
      if (bySlot.put(p.slot(), Objects.requireNonNull(p, "accepted vote")) != null) {
        throw new IllegalArgumentException("two accepted values for slot " + p.slot());
      }
    }
    return List.copyOf(bySlot.values());
  }
}
