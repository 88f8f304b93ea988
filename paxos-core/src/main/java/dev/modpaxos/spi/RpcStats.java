package dev.modpaxos.spi;

/**
 * Counters for one message type on one transport.
 *
 * @param type the message type, as in {@code Message.type()}
 * @param sent messages handed to the network
 * @param received messages delivered to this node
 * @param errors sends that failed or inbound messages rejected
 * @param latencyMicrosAvg average send latency as the transport defines it (gRPC streams: how long
 *     a message waited in the peer's queue before it was written), or 0
 * @param latencyMicrosP50 median send latency, or 0
 * @param latencyMicrosP99 99th percentile send latency, or 0
 */
public record RpcStats(
    String type,
    long sent,
    long received,
    long errors,
    double latencyMicrosAvg,
    long latencyMicrosP50,
    long latencyMicrosP99) {}
