package dev.modpaxos.sim;

import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.spi.Application;
import dev.modpaxos.spi.ResultApplication;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The {@link SimModel} of a {@link Simulator}: the user's application, workload and checks. Each
 * submitted payload carries an 8-byte nonce at its end, so that equal payloads stay distinct (the
 * liveness checker names an entry by its origin and payload); the nonce is removed before the
 * application or the workload sees a payload.
 */
final class KitModel<A extends Application> implements SimModel<A> {
  static final String STATE_CHECK = "StateCheck";
  private static final int NONCE_BYTES = Long.BYTES;

  private final Supplier<? extends A> applications;
  private final Simulator.Submits<A> submits;
  private final List<Checker<? super A>> checkers = new ArrayList<>();
  private final Function<? super A, ?> readQuery;
  private long nextNonce;

  KitModel(
      Supplier<? extends A> applications,
      Simulator.Submits<A> submits,
      List<Simulator.StateCheck<? super A>> checks,
      Function<? super A, ?> digest,
      Function<? super A, ?> readQuery,
      Violations violations) {
    this.applications = applications;
    this.submits = submits;
    this.readQuery = readQuery;
    for (Simulator.StateCheck<? super A> c : checks) {
      checkers.add(new StateCheckChecker<>(c, violations));
    }
    if (digest != null) {
      checkers.add(new DigestChecker<>(digest, violations));
    }
  }

  @Override
  public A newApplication() {
    return Objects.requireNonNull(applications.get(), "the application factory returned null");
  }

  /**
   * The application without the nonces; a {@link ResultApplication} stays one, and a {@link
   * dev.modpaxos.spi.SnapshotApplication} stays one (so half the seeds snapshot it, R20).
   */
  @Override
  public Application nodeApplication(A app) {
    if (app instanceof dev.modpaxos.spi.SnapshotApplication s) {
      return new Snapshotting(s);
    }
    if (app instanceof ResultApplication r) {
      return (ResultApplication) (slot, block) -> r.applyWithResults(slot, withoutNonces(block));
    }
    return (slot, block) -> app.apply(slot, withoutNonces(block));
  }

  @Override
  public byte[] nextPayload(SimNode<A> node, SplittableRandom random) {
    byte[] payload = submits.next(new View<>(node), random);
    if (payload == null) {
      return null;
    }
    return ByteBuffer.allocate(payload.length + NONCE_BYTES)
        .put(payload)
        .putLong(++nextNonce)
        .array();
  }

  @Override
  public Function<? super A, ?> readQuery() {
    return readQuery;
  }

  @Override
  public List<Checker<? super A>> stateCheckers() {
    return checkers;
  }

  /** A user's SnapshotApplication (perhaps also a ResultApplication), without the nonces. */
  private static final class Snapshotting
      implements ResultApplication, dev.modpaxos.spi.SnapshotApplication {
    private final dev.modpaxos.spi.SnapshotApplication user;

    Snapshotting(dev.modpaxos.spi.SnapshotApplication user) {
      this.user = user;
    }

    @Override
    public List<?> applyWithResults(long slot, Block block) {
      if (user instanceof ResultApplication r) {
        return r.applyWithResults(slot, withoutNonces(block));
      }
      user.apply(slot, withoutNonces(block));
      return List.of();
    }

    @Override
    public SnapshotWriter snapshot(long slot) {
      return user.snapshot(slot);
    }

    @Override
    public void restore(long slot, java.io.InputStream in) throws java.io.IOException {
      user.restore(slot, in);
    }
  }

  static Block withoutNonces(Block block) {
    List<Entry> entries = new ArrayList<>(block.size());
    for (Entry e : block.entries()) {
      entries.add(withoutNonce(e));
    }
    return new Block(entries);
  }

  static Entry withoutNonce(Entry e) {
    byte[] p = e.payload();
    if (p.length < NONCE_BYTES) {
      throw new IllegalArgumentException("entry " + e.id() + " carries no simulator nonce");
    }
    return new Entry(e.origin(), e.seq(), Arrays.copyOf(p, p.length - NONCE_BYTES));
  }

  /** The workload's view of a node: its local log without the nonces. */
  private record View<A extends Application>(SimNode<A> node) implements SimNodeView<A> {
    @Override
    public int id() {
      return node.id();
    }

    @Override
    public A application() {
      return node.application();
    }

    @Override
    public List<Entry> localLog() {
      List<Entry> log = new ArrayList<>();
      for (Entry e : node.localLog()) {
        log.add(withoutNonce(e));
      }
      return log;
    }
  }

  /** A user's check; what it throws becomes a violation. */
  private static final class StateCheckChecker<A> implements Checker<A> {
    private final Simulator.StateCheck<? super A> check;
    private final Violations violations;

    StateCheckChecker(Simulator.StateCheck<? super A> check, Violations violations) {
      this.check = check;
      this.violations = violations;
    }

    @Override
    public void onApplied(int node, dev.modpaxos.protocol.SlotBlock chosen, A app) {
      try {
        check.check(node, chosen.slot(), app);
      } catch (RuntimeException | AssertionError e) {
        violations.report(
            STATE_CHECK, "node " + node + " after slot " + chosen.slot() + ": " + e.getMessage());
      }
    }
  }
}
