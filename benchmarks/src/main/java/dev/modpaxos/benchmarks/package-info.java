/**
 * JMH benchmarks of modpaxos, run as one jar ({@code benchmarks/run.sh}, see docs/BENCHMARKS.md).
 *
 * <p>The seven classes keep fixed names so results stay comparable over time: {@link
 * FloorBenchmark} (raw gRPC round trips, the floor every end-to-end figure is reported against),
 * {@link CoreBenchmark} (the pure protocol, no I/O), {@code GrpcClusterBenchmark} (over gRPC, with
 * the in-memory or a Chronicle store), {@code LocalClusterBenchmark} (over the local network, in
 * memory), {@code ChronicleStoreBenchmark}, {@code BankBenchmark} and {@link PeerBenchmark}
 * (Apache Ratis, MicroRaft and SOFAJRaft on the same transfer workload; SOFAJRaft comes shaded
 * from the module {@code benchmarks-sofajraft}).
 *
 * <p>Benchmarks measure and never assert timings. A benchmark does check that its work was done
 * (every submit chosen) and throws otherwise, so that a broken run cannot report a fast number.
 * Everything binds 127.0.0.1 only; data directories live in temp folders deleted afterwards.
 */
package dev.modpaxos.benchmarks;
