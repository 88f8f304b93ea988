/**
 * The modified Multi-Paxos as a pure state machine: {@link dev.modpaxos.protocol.Replica} takes
 * ticks, messages and submits and returns {@link dev.modpaxos.protocol.Ready} batches of effects.
 * Nothing here does I/O, reads a clock, starts a thread or draws unseeded randomness.
 *
 * <h2>Two audiences</h2>
 *
 * <ul>
 *   <li><b>Every user</b> meets the value types and the configuration, through {@code
 *       PaxosNode} and the SPIs: {@link dev.modpaxos.protocol.ReplicaConfig} (with {@link
 *       dev.modpaxos.protocol.RoundTrigger}), {@link dev.modpaxos.protocol.Block}, {@link
 *       dev.modpaxos.protocol.Entry}, {@link dev.modpaxos.protocol.EntryId}, {@link
 *       dev.modpaxos.protocol.Stamp} (what every message carries through a {@code Transport}),
 *       and, for a {@code
 *       Store} implementation, {@link dev.modpaxos.protocol.Ballot}, {@link
 *       dev.modpaxos.protocol.Proposal} and {@link dev.modpaxos.protocol.SlotBlock}.
 *   <li><b>Advanced: drive the pure core yourself</b>, as with etcd's {@code RawNode}, instead of
 *       running a {@code PaxosNode}: {@link dev.modpaxos.protocol.Replica} (not thread-safe; feed
 *       it {@code tick}, {@code step}, {@code submit}, then carry out its {@link
 *       dev.modpaxos.protocol.Ready} in the order that class states, e.g. with {@code
 *       dev.modpaxos.runtime.ReadyExecutor}), {@link dev.modpaxos.protocol.Message} and its
 *       records (what a {@code Transport} carries), {@link dev.modpaxos.protocol.Boot}, {@link
 *       dev.modpaxos.protocol.SnapshotState} (the protocol's part of a snapshot, R20), {@link
 *       dev.modpaxos.protocol.RoundEvent}, {@link dev.modpaxos.protocol.MessageTypes} and {@link
 *       dev.modpaxos.protocol.Invariants}. Everything else here is package-private.
 * </ul>
 *
 * <h2>Glossary (one word for one thing)</h2>
 *
 * <ul>
 *   <li><b>ballot</b> — {@code (round, nodeId)}, totally ordered; the proposer's rank.
 *   <li><b>slot</b> — the position of a decided block: 1, 2, 3, ... without gaps.
 *   <li><b>entry</b> — {@code (origin, seq, payload)}, logged locally by its origin, unique by
 *       {@code (origin, seq)}.
 *   <li><b>local log</b> — a node's own entries that are durable but not yet chosen.
 *   <li><b>block</b> (major block) — the entries decided together in one slot.
 *   <li><b>prepare / promise / accept / accepted / commit</b> — the messages of a round.
 *   <li><b>chosen</b> — accepted by a majority at one ballot; final. <b>committed</b> — known
 *       chosen by this node, durable and applied in slot order.
 *   <li><b>catch-up</b> — copying chosen blocks to a node that lacks them.
 *   <li><b>stamp</b> — the cluster fingerprint and membership epoch every message carries (R2).
 *   <li><b>epoch</b> — how many membership changes a node has applied (R2, R17).
 *   <li><b>stable leader</b> — a node holding a ballot promised by a majority, which may run later
 *       slots with ACCEPT only (the fast path).
 * </ul>
 *
 * <p>Roles are split by class: {@code Acceptor}, {@code Proposer} and the learner's {@code
 * ChosenLog}; {@code Rules} keeps the two safety decisions in one place.
 */
package dev.modpaxos.protocol;
