/**
 * The key-value quick start: {@link dev.modpaxos.example.kv.KvStore} (the state machine, with
 * per-entry results), {@link dev.modpaxos.example.kv.KvNode} (put, compare-and-set and
 * linearizable get on one replica) and {@link dev.modpaxos.example.kv.KvCommand} (the payload).
 * An example, built and tested with the project but not published as a library.
 */
package dev.modpaxos.example.kv;
