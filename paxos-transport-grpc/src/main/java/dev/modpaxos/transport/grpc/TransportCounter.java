package dev.modpaxos.transport.grpc;

/**
 * The counters of one {@link GrpcTransport} beyond its per-type {@link
 * dev.modpaxos.spi.RpcStats} rows: why messages were dropped or refused, and what the streams did.
 * Read them with {@link GrpcTransport#counters()}. See docs/TRANSPORT.md, "Metrics".
 */
public enum TransportCounter {
  /** Batches written on outbound streams (each carries one or more messages). */
  BATCHES_SENT,
  /** Batches read from inbound streams. */
  BATCHES_RECEIVED,

  /** Sends dropped because the transport was not started or already closed. */
  DROPPED_NOT_RUNNING,
  /** Sends dropped because the addressee is not a peer of this node. */
  DROPPED_NO_PEER,
  /** Sends dropped because the message's sender is not this node. */
  DROPPED_NOT_SELF,
  /** Sends dropped because the encoded message exceeds {@code maxInboundMessageBytes}. */
  DROPPED_OVERSIZED,
  /** Sends dropped because the peer's queue was full: the peer is slow, down or connecting. */
  DROPPED_QUEUE_FULL,
  /**
   * Queued messages dropped because the peer is unreachable: its channel failed to connect and
   * they had waited longer than {@code connectWaitMillis}.
   */
  DROPPED_UNREACHABLE,
  /** Messages taken from the queue whose write on the stream failed (the stream had just ended). */
  DROPPED_WRITE_FAILED,
  /** Messages still queued when the transport closed. */
  DROPPED_AT_CLOSE,
  /** Sends dropped because encoding threw (a bug; the message is logged). */
  DROPPED_ERROR,

  /** Inbound envelopes or batches that do not parse or fail the codec's validation. */
  REJECTED_MALFORMED,
  /** Inbound messages addressed to another node. */
  REJECTED_MISADDRESSED,
  /** Inbound frames over {@code maxInboundMessageBytes}, refused by gRPC (the stream ends). */
  REJECTED_OVERSIZED,
  /** Inbound streams refused because the peer's certificate names no member (TLS only). */
  REJECTED_UNAUTHORIZED,
  /** Inbound messages whose sender is not the member the stream's certificate names (TLS only). */
  REJECTED_IMPOSTOR,
  /** Inbound messages the node's handler threw on. */
  REJECTED_BY_NODE,

  /** Outbound streams that became ready to write (the first one to each peer included). */
  STREAMS_OPENED,
  /** Outbound streams, or attempts to open one, that ended with an error. */
  STREAM_FAILURES,
  /** Outbound streams that became ready again after an earlier stream to that peer had been. */
  RECONNECTS,
  /** Waits to dial or re-open cut short because the peer's own stream had just reached us. */
  REDIALS_ON_CONTACT
}
