package dev.modpaxos.spi;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.EntryId;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.protocol.SlotBlock;
import java.util.Collection;

/**
 * Durable state of one node: the promised ballot, the accepted value, the chosen blocks and the
 * local log. Write-only while the node runs; read back once, at boot, by {@link #load()}.
 *
 * <p><b>Durability.</b> A write is durable only once a later {@link #sync()} has returned. A crash
 * may lose any suffix of the writes made since the last completed {@code sync()}, never a write
 * before it. What "durable" means (survives process kill, or power loss) is the implementation's
 * documented durability level.
 *
 * <p><b>Threading.</b> Called from one thread at a time (the node's event loop). Every method may
 * block on I/O. Failures are reported as {@link StoreException}; after one, the node stops rather
 * than run on with state it cannot persist.
 */
public interface Store extends AutoCloseable {

  /** Reads the whole durable state. Called once, before any write. */
  StoredState load();

  /**
   * Records the highest promised ballot (docs/PROTOCOL.md R5). A store that reported {@code
   * acceptorStateLost} keeps reporting it on every later {@link #load()} until a promise written
   * after that load is synced: the node writes one exactly when it may vote again (R16).
   */
  void savePromised(Ballot promised);

  /** Records the accepted value, replacing the previous one (R8). */
  void saveAccepted(Proposal accepted);

  /** Records a chosen block. Slots arrive in order 1, 2, 3, ... without gaps (R9). */
  void saveChosen(SlotBlock chosen);

  /** Appends an entry to the local log (R4). */
  void appendLocal(Entry entry);

  /** Removes entries from the local log; unknown ids are ignored (R9). */
  void removeLocal(Collection<EntryId> ids);

  /** Makes every earlier write durable. Returns only when they are. */
  void sync();

  /**
   * Releases the store after a clean shutdown: pending writes are made durable first. Idempotent.
   */
  @Override
  void close();
}
