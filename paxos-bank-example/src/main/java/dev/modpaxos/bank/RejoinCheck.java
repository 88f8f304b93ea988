package dev.modpaxos.bank;

import dev.modpaxos.local.ForwardingStore;
import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.StoredState;

/**
 * {@code bank server}'s start-up check of its store, with or without {@code --rejoin}
 * (docs/BANK.md, "Re-admitting a server"): a {@link Store} that passes every call through and
 * looks at what {@link #load()} read back before the node acts on it. Nothing is written before
 * the check, so a refused start changes nothing. Thread-safe as its delegate.
 *
 * <ul>
 *   <li>Without {@code --rejoin} a store that is empty (never initialised by {@code bank init}),
 *       records no identity, or reports lost state (R16) is refused with one line saying to use
 *       {@code --rejoin}: a wrong or wiped {@code --data-dir} never starts quietly.
 *   <li>With {@code --rejoin} such a store starts a new incarnation of the server: the core runs
 *       it as a learner that asks the cluster to re-admit it under its next generation (R17,
 *       {@code PaxosNode.replaceMember}). An intact store is refused: there is nothing to
 *       re-admit.
 *   <li>Either way, a store whose new incarnation awaits its re-admission (a rejoin that was
 *       interrupted) starts again and goes on waiting.
 * </ul>
 */
final class RejoinCheck extends ForwardingStore {
  /** Why a server refused to start; the message is the one line the user sees. */
  static final class RefusedStart extends RuntimeException {
    RefusedStart(String message) {
      super(message, null, false, false);
    }
  }

  private final boolean rejoin;
  private final String what;
  // Set by load(): the store starts a new incarnation, or one that still awaits re-admission.
  private volatile boolean newIncarnation;
  private StoredState loaded;

  /**
   * @param delegate the server's store, not loaded yet
   * @param rejoin whether {@code --rejoin} was given
   * @param what names the store in the message, e.g. "S3's store in data/S3"
   */
  RejoinCheck(Store delegate, boolean rejoin, String what) {
    super(delegate);
    this.rejoin = rejoin;
    this.what = what;
  }

  /** The reason a start on {@code state} is refused, or null if it may start. */
  static String refusal(StoredState state, boolean rejoin, String what) {
    boolean lost = state.identity() == null || !state.losses().isEmpty();
    if (lost && !rejoin) {
      String found = state.isEmpty() ? "is empty"
          : state.identity() == null ? "records no identity"
          : "reports lost state " + state.losses();
      return what + " " + found + "; to re-admit this server as a new incarnation, start it"
          + " with --rejoin" + (state.isEmpty() ? " (a new cluster runs `bank init` first)" : "");
    }
    if (!lost && rejoin && !state.identity().isPending()) {
      return what + " is intact (generation " + state.identity().generation() + "); --rejoin"
          + " is only for a wiped or damaged data directory: start it without --rejoin";
    }
    return null;
  }

  /**
   * Loads the delegate once and checks it; throws {@link RefusedStart} if the start is refused.
   * A later call returns the same state, so the server checks before it builds its node and the
   * node then loads what was checked.
   */
  @Override
  public synchronized StoredState load() {
    if (loaded != null) {
      return loaded;
    }
    StoredState state = inner().load();
    String refused = refusal(state, rejoin, what);
    if (refused != null) {
      throw new RefusedStart(refused);
    }
    newIncarnation = state.identity() == null || !state.losses().isEmpty()
        || state.identity().isPending();
    loaded = state;
    return state;
  }

  /** {@return true if the state {@link #load()} read starts (or goes on as) a new incarnation} */
  boolean newIncarnation() {
    return newIncarnation;
  }

  @Override
  public String toString() {
    return inner().toString();
  }
}
