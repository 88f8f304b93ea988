package dev.modpaxos.spi;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.Proposal;
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
 * @param chosen the chosen blocks; element {@code i} is slot {@code i + 1}; the longest prefix of
 *     slots without a gap that survived
 * @param localLog the local log in append order
 * @param losses what the store found lost or damaged since the last synced {@link
 *     Store#saveIdentity}; empty when intact (R16)
 */
public record StoredState(
    StoreIdentity identity,
    Ballot promised,
    List<Proposal> accepted,
    List<Block> chosen,
    List<Entry> localLog,
    Set<StateLoss> losses) {

  /** The state of a store that was never written. */
  public static final StoredState EMPTY =
      new StoredState(null, Ballot.ZERO, List.of(), List.of(), List.of(), Set.of());

  /**
   * Copies the collections; orders {@code accepted} by slot.
   *
   * @param identity see {@link #identity()}
   * @param promised see {@link #promised()}
   * @param accepted see {@link #accepted()}
   * @param chosen see {@link #chosen()}
   * @param localLog see {@link #localLog()}
   * @param losses see {@link #losses()}
   */
  public StoredState {
    Objects.requireNonNull(promised, "promised");
    accepted = inSlotOrder(accepted);
    chosen = List.copyOf(chosen);
    localLog = List.copyOf(localLog);
    losses = losses.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(losses));
  }

  /** {@return true when nothing was ever written: no identity, promise, value, block or entry} */
  public boolean isEmpty() {
    return identity == null
        && promised.equals(Ballot.ZERO)
        && accepted.isEmpty()
        && chosen.isEmpty()
        && localLog.isEmpty();
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
