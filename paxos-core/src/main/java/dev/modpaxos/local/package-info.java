/**
 * Simple in-JVM implementations of the SPIs, for tests and the embedded single-JVM mode: {@link
 * dev.modpaxos.local.InMemoryStore}, {@link dev.modpaxos.local.LocalNetwork} and the {@link
 * dev.modpaxos.local.FaultInjectingTransport} decorator (works over any transport). Nothing here
 * touches a disk or a socket.
 */
package dev.modpaxos.local;
