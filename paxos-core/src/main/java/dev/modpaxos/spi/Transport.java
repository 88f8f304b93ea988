package dev.modpaxos.spi;

import dev.modpaxos.protocol.Message;
import java.util.List;
import java.util.function.Consumer;

/**
 * Moves protocol messages between the nodes of one cluster. Best effort: a transport may lose,
 * duplicate, delay or reorder any message, and the protocol stays safe (docs/PROTOCOL.md R2).
 *
 * <p>One instance serves one node. Thread-safe.
 */
public interface Transport extends AutoCloseable {

  /**
   * Starts delivery of messages addressed to this node into {@code inbound}. Called once, before
   * any {@link #send}. May block briefly (for example to bind a socket); throws {@link
   * IllegalStateException} if it cannot start. {@code inbound} is called from transport threads,
   * never concurrently with itself for one message, and must not block.
   *
   * @param inbound receives every message addressed to this node
   */
  void start(Consumer<Message> inbound);

  /**
   * Sends {@code message} to {@code message.to()}. Never blocks and never throws: a message that
   * cannot be sent is dropped (and counted where the transport keeps metrics).
   *
   * @param message the message; its {@code to()} names the addressee
   */
  void send(Message message);

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
