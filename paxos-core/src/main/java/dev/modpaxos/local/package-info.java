/**
 * Simple in-JVM implementations of the SPIs, for tests and the embedded single-JVM mode: {@link
 * dev.modpaxos.local.InMemoryStore}, {@link dev.modpaxos.local.LocalNetwork}, and the fault
 * decorators: {@link dev.modpaxos.local.FaultInjectingTransport} (loss, duplicates, delay, cut
 * links; over any transport, set through {@link dev.modpaxos.local.NetworkFaults}) and {@link
 * dev.modpaxos.local.FaultInjectingStore} (slow and failed syncs; over any store, set through
 * {@link dev.modpaxos.local.DiskFaults}), with {@link dev.modpaxos.local.ForwardingStore} as the
 * base of store decorators. Nothing here touches a disk or a socket.
 */
package dev.modpaxos.local;
