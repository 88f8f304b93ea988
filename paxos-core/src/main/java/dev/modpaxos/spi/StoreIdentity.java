package dev.modpaxos.spi;

import java.util.Objects;

/**
 * Whose state a {@link Store} holds: one member of one cluster, at one generation
 * (docs/PROTOCOL.md R16). Written once when a store is initialised and again whenever the member
 * starts or is admitted to a new generation.
 *
 * @param clusterId the cluster the store belongs to; a node refuses a store of another cluster
 * @param memberId the member id the store belongs to; a node refuses a store of another member
 * @param generation the member generation this store votes as, or {@link #PENDING} while the
 *     member awaits re-admission after lost state (a non-voting learner)
 * @param nonce identifies this incarnation while it awaits re-admission: the membership change
 *     that re-admits it names this nonce, so no other process can take the new generation
 */
public record StoreIdentity(String clusterId, int memberId, int generation, long nonce) {
  /** The generation of a member that lost its state and awaits re-admission. */
  public static final int PENDING = 0;

  /**
   * Validates the components: a non-blank cluster id, a member id {@code > 0}, a generation {@code
   * >= 0}.
   *
   * @param clusterId see {@link #clusterId()}
   * @param memberId see {@link #memberId()}
   * @param generation see {@link #generation()}
   * @param nonce see {@link #nonce()}
   */
  public StoreIdentity {
    Objects.requireNonNull(clusterId, "clusterId");
    if (clusterId.isBlank()) {
      throw new IllegalArgumentException("clusterId must not be blank");
    }
    if (memberId <= 0) {
      throw new IllegalArgumentException("memberId must be > 0, got " + memberId);
    }
    if (generation < 0) {
      throw new IllegalArgumentException("generation must be >= 0, got " + generation);
    }
  }

  /**
   * A founding member of a new cluster: generation 1.
   *
   * @param clusterId the new cluster's id
   * @param memberId this member's id
   * @return the identity at generation 1
   */
  public static StoreIdentity founding(String clusterId, int memberId) {
    return new StoreIdentity(clusterId, memberId, 1, 0);
  }

  /**
   * {@return true while the member awaits re-admission (it must not vote, propose or accept
   * submits)}
   */
  public boolean isPending() {
    return generation == PENDING;
  }

  @Override
  public String toString() {
    return "member " + memberId + " of cluster " + clusterId
        + (isPending() ? " (awaiting re-admission, nonce " + Long.toHexString(nonce) + ")"
            : " generation " + generation);
  }
}
