package dev.modpaxos.spi;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.EntryId;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.protocol.SlotBlock;
import java.util.Collection;

/**
 * Durable state of one node: its identity, the promised ballot, the accepted values, the chosen
 * blocks and the local log. Write-only while the node runs; read back once, at boot, by {@link
 * #load()}.
 *
 * <p><b>Durability.</b> A write is durable only once a later {@link #sync()} has returned. A crash
 * may lose <em>any subset</em> of the writes made since the last completed {@code sync()} (a store
 * spread over several files, or a disk that reorders pages, keeps no prefix order), never a write
 * before it. {@link #load()} then returns the last synced state with some of those writes applied,
 * except that {@link StoredState#chosen()} is the longest gap-free prefix of slots. The protocol
 * is written for this (docs/PROTOCOL.md R15): within one batch no write depends on another.
 * What "durable" means (survives process kill, or power loss) is the implementation's documented
 * durability level.
 *
 * <p><b>Losses.</b> A store that finds acknowledged state missing or damaged at boot reports it in
 * {@link StoredState#losses()} rather than hide it, and keeps reporting it on every later load
 * until an identity written after that load is synced ({@link #saveIdentity}): the node writes one
 * as soon as it has started a new generation (R16).
 *
 * <p><b>Threading.</b> Called from one thread at a time (the node's event loop). Every method may
 * block on I/O. Failures are reported as {@link StoreException}; after one, the node stops rather
 * than run on with state it cannot persist.
 */
public interface Store extends AutoCloseable {

  /**
   * Reads the whole durable state. Called once, before any write.
   *
   * @return the durable state; empty for a new store
   */
  StoredState load();

  /**
   * Records whose state this is (R16), replacing the previous identity. Once synced, later loads
   * no longer report losses found before it.
   *
   * @param identity the identity to record
   */
  void saveIdentity(StoreIdentity identity);

  /**
   * Records the highest promised ballot (docs/PROTOCOL.md R5).
   *
   * @param promised the ballot promised
   */
  void savePromised(Ballot promised);

  /**
   * Records the acceptor's vote for slot {@code accepted.slot()}, replacing any earlier vote for
   * that slot (R8). A pipelining acceptor holds votes for several slots at once (R18): the store
   * keeps, and {@link #load()} returns, the vote of every slot above {@code h - }{@link
   * dev.modpaxos.protocol.ReplicaConfig#VOTES_KEPT}, where {@code h} is the highest slot voted; it
   * may drop older ones.
   *
   * @param accepted the vote: slot, ballot and block
   */
  void saveAccepted(Proposal accepted);

  /**
   * Records a chosen block. Slots arrive in order 1, 2, 3, ... without gaps (R9), but a crash may
   * keep a later one and lose an earlier one; {@link #load()} returns only the gap-free prefix.
   * After an installed snapshot of slot {@code s} (R20) the next block saved is {@code s + 1}.
   *
   * @param chosen the block and its slot
   */
  void saveChosen(SlotBlock chosen);

  /**
   * Appends an entry to the local log (R4).
   *
   * @param entry the entry to append
   */
  void appendLocal(Entry entry);

  /**
   * Removes entries from the local log; unknown ids are ignored (R9).
   *
   * @param ids the ids of the entries to remove
   */
  void removeLocal(Collection<EntryId> ids);

  // ---- reserved ids (R15); without them a leader's new entries leave only after their sync ---

  /**
   * {@return true if this store implements {@link #saveIdFloor}: then a leader may send its own
   * new entries to the followers while its disk syncs them, instead of after}
   */
  default boolean keepsIdFloor() {
    return false;
  }

  /**
   * Records the id floor (docs/PROTOCOL.md R15, "Reserved ids"), replacing the previous one;
   * durable with the next {@link #sync()} like any write. {@link #load()} returns the last one
   * in {@link StoredState#idFloor()} ({@link IdFloor#NONE} if none was ever written).
   *
   * @param floor the ids that may be sent ahead of their sync, or {@link IdFloor#NONE}
   */
  default void saveIdFloor(IdFloor floor) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no id floor");
  }

  // ---- snapshots (R20); a store without them keeps the whole history ----------------------

  /** {@return true if this store implements the snapshot methods below} */
  default boolean supportsSnapshots() {
    return false;
  }

  /**
   * Opens a sink for a snapshot of {@code slot}: a new one, or the partial one an earlier run left
   * for the same slot (then {@link SnapshotSink#sizeBytes()} is above 0). Partial snapshots of
   * other slots are discarded. May be called from any thread; independent of the other writes.
   *
   * @param slot the slot the snapshot covers
   * @return the sink to write it to
   */
  default SnapshotSink openSnapshot(long slot) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no snapshots");
  }

  /**
   * Drops the chosen blocks of slots up to {@code slot}, which a committed snapshot covers (at or
   * above {@code slot}); durable with the next {@link #sync()}. Later {@link #load()}s return the
   * blocks after it, {@code compactedSlot} and the newest snapshot. A crash may keep any subset of
   * the drops; {@code load()} still returns a gap-free run after the snapshot.
   *
   * @param slot the last slot whose block is dropped
   */
  default void compactThrough(long slot) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no snapshots");
  }

  /** Makes every earlier write durable. Returns only when they are. */
  void sync();

  /**
   * Releases the store after a clean shutdown: pending writes are made durable first. Idempotent.
   */
  @Override
  void close();
}
