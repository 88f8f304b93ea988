package dev.modpaxos.spi;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.Proposal;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link Store} read back at boot.
 *
 * @param promised the highest promised ballot, {@link Ballot#ZERO} if none
 * @param accepted the last accepted value, or null
 * @param chosen the chosen blocks; element {@code i} is slot {@code i + 1}
 * @param localLog the local log in append order
 * @param acceptorStateLost true when recovery found acceptor state (promise or accepted value)
 *     deleted or corrupt; the node then must not vote until it has caught up (R16)
 */
public record StoredState(
    Ballot promised,
    Proposal accepted,
    List<Block> chosen,
    List<Entry> localLog,
    boolean acceptorStateLost) {

  public static final StoredState EMPTY =
      new StoredState(Ballot.ZERO, null, List.of(), List.of(), false);

  public StoredState {
    Objects.requireNonNull(promised, "promised");
    chosen = List.copyOf(chosen);
    localLog = List.copyOf(localLog);
  }
}
