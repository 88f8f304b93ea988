package dev.modpaxos.runtime;

import dev.modpaxos.spi.RpcStats;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of one node's counters.
 *
 * @param nodeId the node
 * @param committedSlot its last committed slot
 * @param chosenEntries entries in its committed blocks
 * @param localLogSize entries in its local log
 * @param preparesStarted PREPARE phases it started
 * @param fastRoundsStarted ACCEPT phases it started without a PREPARE (stable leader)
 * @param roundsWon PREPARE phases won (a majority promised)
 * @param roundsLost phases rejected, timed out or overtaken
 * @param blocksCommitted blocks this node proposed and saw chosen
 * @param rejectedForeign messages dropped because their stamp names another cluster (R2)
 * @param messagesSent messages handed to the transport, by type
 * @param messagesReceived messages delivered to the core, by type
 * @param roundLatency from starting a round to its block being chosen
 * @param commitLatency per entry, from {@code submit} to chosen and applied
 * @param rpc the transport's per-type statistics, if it keeps any
 */
public record NodeMetrics(
    int nodeId,
    long committedSlot,
    long chosenEntries,
    int localLogSize,
    long preparesStarted,
    long fastRoundsStarted,
    long roundsWon,
    long roundsLost,
    long blocksCommitted,
    long rejectedForeign,
    Map<String, Long> messagesSent,
    Map<String, Long> messagesReceived,
    LatencySummary roundLatency,
    LatencySummary commitLatency,
    List<RpcStats> rpc) {}
