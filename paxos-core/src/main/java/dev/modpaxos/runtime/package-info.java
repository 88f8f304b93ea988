/**
 * The runtime: {@link dev.modpaxos.runtime.PaxosNode} runs one {@link
 * dev.modpaxos.protocol.Replica} with a transport, a store and an application, on one event loop.
 * This is the only package that owns threads and timers.
 *
 * <p><b>The user API</b> is {@link dev.modpaxos.runtime.PaxosNode} (and its builder), {@link
 * dev.modpaxos.runtime.SubmitHandle}, {@link dev.modpaxos.runtime.Leadership}, {@link
 * dev.modpaxos.runtime.NodeMetrics} with {@link dev.modpaxos.runtime.LatencySummary}, and the
 * exceptions below. {@link
 * dev.modpaxos.runtime.ReadyExecutor} belongs to the advanced API: it is for code that drives a
 * {@link dev.modpaxos.protocol.Replica} itself.
 *
 * <ul>
 *   <li>{@link dev.modpaxos.runtime.ReadyExecutor} is the one place that carries out a {@link
 *       dev.modpaxos.protocol.Ready} in the order of docs/PROTOCOL.md R15 (persist, sync, send,
 *       apply, complete). PaxosNode, the simulator, the scenario harness and the benchmarks all
 *       use it; its small {@code Hook} lets the simulator watch the steps and crash part-way.
 *   <li>{@code NodeLoop} (package-private) decides when a node's work runs and when ticks fire:
 *       {@code ThreadLoop} in production, a deterministic loop in the test sources, so that the
 *       simulator drives real PaxosNodes.
 *   <li>The exceptions a caller sees: {@link dev.modpaxos.runtime.NodeStoppedException}, {@link
 *       dev.modpaxos.runtime.NotVotingException}, {@link
 *       dev.modpaxos.runtime.BackPressureException}, {@link
 *       dev.modpaxos.runtime.RoundFailedException}.
 * </ul>
 *
 * <p>Nothing here decides protocol questions; that is {@code dev.modpaxos.protocol}'s job.
 */
package dev.modpaxos.runtime;
