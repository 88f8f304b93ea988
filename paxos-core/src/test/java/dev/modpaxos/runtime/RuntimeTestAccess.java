package dev.modpaxos.runtime;

import dev.modpaxos.protocol.Boot;
import dev.modpaxos.protocol.Replica;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.spi.StoredState;

/**
 * Test-only access to {@link PaxosNode}'s package-private seams, for tests in other packages (the
 * simulator in {@code dev.modpaxos.sim}). Not part of the library's API.
 */
public final class RuntimeTestAccess {
  private RuntimeTestAccess() {}

  /** Builds a node's replica; {@code Replica::new} or a deliberately broken variant. */
  @FunctionalInterface
  public interface ReplicaFactory {
    Replica create(ReplicaConfig config, StoredState state, Boot boot);
  }

  /** Makes {@code builder}'s node run on {@code loop}, build its replica with {@code factory}. */
  public static PaxosNode.Builder simulated(
      PaxosNode.Builder builder, SimLoop loop, ReadyExecutor.Hook hook, ReplicaFactory factory) {
    return builder.loop(loop).hook(hook).replicaFactory(factory::create);
  }

  /** R20: the node writes its own snapshots on the calling thread (deterministic). */
  public static PaxosNode.Builder snapshotsInline(PaxosNode.Builder builder) {
    return builder.snapshotExecutor(Runnable::run);
  }

  /** The node's replica (loop-confined: call only on the node's loop, e.g. a SimLoop's caller). */
  public static Replica replica(PaxosNode node) {
    return node.replica();
  }
}
