package dev.modpaxos.protocol;

/**
 * How a {@link Replica} starts from what its store read back (docs/PROTOCOL.md R16).
 *
 * @param bootstrap true only for a founding member of a new cluster: an empty store is then
 *     initialised as generation 1. False for every later start, so that an empty or wiped store of
 *     an existing member is treated as lost state, never as a fresh start.
 * @param nonce a random number, fresh for this start, drawn by the caller from real entropy in
 *     production (seeded in the simulator). Used only if this start must begin a new incarnation
 *     that awaits re-admission; it is what the re-admitting membership change names (R17).
 * @param snapshot the protocol state of the store's snapshot (R20), whose slot is the one before
 *     the store's first chosen block, or null if the store has none
 * @param idFloors the store keeps an id floor ({@link dev.modpaxos.spi.Store#keepsIdFloor}), so
 *     a leader may send its own new entries while they sync (R15)
 */
public record Boot(boolean bootstrap, long nonce, SnapshotState snapshot, boolean idFloors) {

  /**
   * A start whose store keeps no id floor.
   *
   * @param bootstrap see {@link #bootstrap()}
   * @param nonce see {@link #nonce()}
   * @param snapshot see {@link #snapshot()}
   */
  public Boot(boolean bootstrap, long nonce, SnapshotState snapshot) {
    this(bootstrap, nonce, snapshot, false);
  }

  /**
   * A start without a snapshot.
   *
   * @param bootstrap see {@link #bootstrap()}
   * @param nonce see {@link #nonce()}
   */
  public Boot(boolean bootstrap, long nonce) {
    this(bootstrap, nonce, null);
  }

  /**
   * The same start, from a snapshot.
   *
   * @param snapshot the protocol state of the store's snapshot
   * @return this start with {@code snapshot}
   */
  public Boot withSnapshot(SnapshotState snapshot) {
    return new Boot(bootstrap, nonce, snapshot, idFloors);
  }

  /**
   * The same start, on a store that does or does not keep an id floor.
   *
   * @param keeps whether the store keeps one ({@link dev.modpaxos.spi.Store#keepsIdFloor})
   * @return this start with {@code idFloors} set to {@code keeps}
   */
  public Boot withIdFloors(boolean keeps) {
    return new Boot(bootstrap, nonce, snapshot, keeps);
  }

  /**
   * A founding member of a new cluster.
   *
   * @param nonce a fresh random number (see {@link #nonce()})
   * @return the boot of a founding member
   */
  public static Boot newCluster(long nonce) {
    return new Boot(true, nonce);
  }

  /**
   * A member restarting on its existing store.
   *
   * @param nonce a fresh random number (see {@link #nonce()})
   * @return the boot of an existing member
   */
  public static Boot existing(long nonce) {
    return new Boot(false, nonce);
  }
}
