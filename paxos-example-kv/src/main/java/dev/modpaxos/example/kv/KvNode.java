package dev.modpaxos.example.kv;

import dev.modpaxos.runtime.PaxosNode;
import java.util.concurrent.CompletableFuture;

/**
 * One replica of the key-value store: a {@link PaxosNode} running a {@link KvStore}. Writes go
 * through consensus and complete with their result; {@link #get} is a linearizable read (R19): it
 * sees every write that completed before it was called, on any replica. Thread-safe. Every
 * future completes on the node's event loop: use the {@code *Async} methods for slow callbacks.
 */
public final class KvNode implements AutoCloseable {
  private final KvStore store = new KvStore();
  private final PaxosNode node;

  private KvNode(PaxosNode.Builder builder) {
    this.node = builder.application(store).build();
  }

  /**
   * Builds the node from {@code builder} (its config, transport and store; this sets the
   * application) and starts it. A restarted node replays its chosen blocks into a new store.
   */
  public static KvNode start(PaxosNode.Builder builder) {
    KvNode kv = new KvNode(builder);
    kv.node.start();
    return kv;
  }

  // README-QUICKSTART:BEGIN node
  public CompletableFuture<String> put(String key, String value) {
    return node.submit(KvCommand.put(key, value).encode()).result().thenApply(String.class::cast);
  }

  public CompletableFuture<Boolean> compareAndSet(String key, String expected, String value) {
    byte[] cas = KvCommand.cas(key, expected, value).encode();
    return node.submit(cas).result().thenApply(Boolean.class::cast);
  }

  public CompletableFuture<String> get(String key) {
    return node.read(() -> store.get(key)); // runs on the loop once every earlier write applied
  }
  // README-QUICKSTART:END node

  /** The node underneath, for its metrics, leadership and lifecycle. */
  public PaxosNode paxos() {
    return node;
  }

  @Override
  public void close() {
    node.close();
  }
}
