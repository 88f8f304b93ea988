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
 * @param accepted the last accepted value, or null
 * @param chosen the chosen blocks; element {@code i} is slot {@code i + 1}; the longest prefix of
 *     slots without a gap that survived
 * @param localLog the local log in append order
 * @param losses what the store found lost or damaged since the last synced {@link
 *     Store#saveIdentity}; empty when intact (R16)
 */
public record StoredState(
    StoreIdentity identity,
    Ballot promised,
    Proposal accepted,
    List<Block> chosen,
    List<Entry> localLog,
    Set<StateLoss> losses) {

  public static final StoredState EMPTY =
      new StoredState(null, Ballot.ZERO, null, List.of(), List.of(), Set.of());

  public StoredState {
    Objects.requireNonNull(promised, "promised");
    chosen = List.copyOf(chosen);
    localLog = List.copyOf(localLog);
    losses = losses.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(losses));
  }

  /** True when nothing was ever written: no identity, promise, value, block or entry. */
  public boolean isEmpty() {
    return identity == null
        && promised.equals(Ballot.ZERO)
        && accepted == null
        && chosen.isEmpty()
        && localLog.isEmpty();
  }
}
