/**
 * The runtime: {@link dev.modpaxos.runtime.PaxosNode} runs one {@link
 * dev.modpaxos.protocol.Replica} on one event-loop thread with a transport, a store and an
 * application, and carries out its effects in the documented order. This is the only package that
 * owns threads and timers.
 */
package dev.modpaxos.runtime;
