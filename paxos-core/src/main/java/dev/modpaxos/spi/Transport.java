package dev.modpaxos.spi;

import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.Stamp;
import java.util.List;
import java.util.Set;

/**
 * Moves protocol messages between the nodes of one cluster. Best effort: a transport may lose,
 * duplicate, delay or reorder any message, and the protocol stays safe (docs/PROTOCOL.md R2).
 * Every message travels with its sender's {@link Stamp} (cluster fingerprint and membership
 * epoch), which the transport carries unchanged; the receiving node, not the transport, refuses a
 * message of another cluster.
 *
 * <p>One instance serves one node. Thread-safe.
 */
public interface Transport extends AutoCloseable {

  /** Receives the messages addressed to this node, each with the stamp it was sent with. */
  @FunctionalInterface
  interface Inbound {
    /**
     * Takes one message. Called from transport threads, never concurrently with itself for one
     * message; must not block.
     *
     * @param stamp the stamp the sender sent it with
     * @param message the message
     */
    void deliver(Stamp stamp, Message message);
  }

  /**
   * Starts delivery of messages addressed to this node into {@code inbound}. Called once, before
   * any {@link #send}. May block briefly (for example to bind a socket); throws {@link
   * IllegalStateException} if it cannot start.
   *
   * @param inbound receives every message addressed to this node, with its stamp
   */
  void start(Inbound inbound);

  /**
   * Sends {@code message}, stamped with {@code stamp}, to {@code message.to()}. Never blocks and
   * never throws: a message that cannot be sent is dropped (and counted where the transport keeps
   * metrics).
   *
   * @param stamp the sender's stamp, delivered with the message
   * @param message the message; its {@code to()} names the addressee
   */
  void send(Stamp stamp, Message message);

  /**
   * The node ids this transport knows an address for, this node's own included, or null if it
   * cannot tell (any id may be reachable). {@code PaxosNode.Builder.build()} refuses a transport
   * that knows no address for a founding member, or for the node itself. Thread-safe, cheap.
   *
   * @return the ids it can reach, or null for "unknown"
   */
  default Set<Integer> peers() {
    return null;
  }

  /**
   * {@return per-message-type statistics; empty when the transport keeps none. Thread-safe, cheap}
   */
  default List<RpcStats> rpcStats() {
    return List.of();
  }

  /** Stops delivery and releases sockets and threads. Idempotent; never throws. */
  @Override
  void close();
}
