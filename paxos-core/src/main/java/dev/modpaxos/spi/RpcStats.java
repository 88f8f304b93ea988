package dev.modpaxos.spi;

/**
 * Counters for one message type on one transport.
 *
 * @param type the message type, as in {@code Message.type()}
 * @param sent messages handed to the network
 * @param received messages delivered to this node
 * @param errors sends that failed or inbound messages rejected
 * @param latencyMicrosAvg average send round trip (acknowledgement by the peer's transport), or 0
 * @param latencyMicrosP50 median send round trip, or 0
 * @param latencyMicrosP99 99th percentile send round trip, or 0
 */
public record RpcStats(
    String type,
    long sent,
    long received,
    long errors,
    double latencyMicrosAvg,
    long latencyMicrosP50,
    long latencyMicrosP99) {}
