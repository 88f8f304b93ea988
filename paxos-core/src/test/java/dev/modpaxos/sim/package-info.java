/**
 * The deterministic simulator, published in paxos-core's test-jar ({@code
 * <type>test-jar</type>}).
 *
 * <p><b>The public test-kit</b> is three types: {@link dev.modpaxos.sim.Simulator} runs your
 * {@link dev.modpaxos.spi.Application} on real {@code PaxosNode}s under seeded faults, with your
 * workload and your checks; {@link dev.modpaxos.sim.SimNodeView} is what your workload sees of a
 * node; {@link dev.modpaxos.sim.SimReport} is what a run found. See docs/TESTING.md.
 *
 * <p>Everything else here is package-private and may change: the simulation ({@code Simulation},
 * {@code SimNode}, {@code SimNetwork}, {@code SimShape}), the checkers (one class per property,
 * reporting to {@code Violations}, never throwing), the toy bank that SimulationTest runs ({@code
 * TransferModel}, {@code TransferApp}) and the deliberately broken protocol variants that
 * BrokenVariantsTest shows the checkers catch. Nothing here may read a clock or a random source
 * other than the run's one seeded stream.
 */
package dev.modpaxos.sim;
