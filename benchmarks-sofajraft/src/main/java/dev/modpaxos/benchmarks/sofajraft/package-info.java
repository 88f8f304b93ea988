/**
 * SOFAJRaft 1.4.1 as a peer of {@code PeerBenchmark}, in a module of its own whose jar is shaded:
 * SOFAJRaft's protobuf 3, guava 27, asm 6, Netty 4.1 and the rest of its libraries are relocated
 * under {@code dev.modpaxos.benchmarks.sofajraft.shaded}, so that it runs in one JVM with modpaxos
 * (protobuf 4, guava 33, asm 9). RocksDB and slf4j stay unshaded.
 *
 * <p>The only public type, {@link SofaJRaftCluster}, speaks in JDK types, so nothing of SOFAJRaft
 * leaks to the benchmarks module. Nothing here binds any address but 127.0.0.1.
 */
package dev.modpaxos.benchmarks.sofajraft;
