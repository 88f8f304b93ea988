/**
 * A Micrometer binding for {@link dev.modpaxos.runtime.PaxosNode}: {@link
 * dev.modpaxos.metrics.micrometer.PaxosNodeMetrics} registers every figure of {@link
 * dev.modpaxos.runtime.NodeMetrics} and of the transport's {@link dev.modpaxos.spi.RpcStats} as
 * meters tagged with the node, the message type and the outcome. paxos-core itself never depends
 * on Micrometer; the meter names are listed in docs/METRICS.md.
 */
package dev.modpaxos.metrics.micrometer;
