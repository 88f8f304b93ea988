/**
 * The service provider interfaces a node is assembled from: {@link dev.modpaxos.spi.Transport},
 * {@link dev.modpaxos.spi.Store} and {@link dev.modpaxos.spi.Application}, with the optional
 * {@link dev.modpaxos.spi.ResultApplication} (per-entry results, R19's companion) and {@link
 * dev.modpaxos.spi.SnapshotApplication} (snapshots, R20; stored through {@link
 * dev.modpaxos.spi.SnapshotSink} and {@link dev.modpaxos.spi.StoredSnapshot}). Each method's Javadoc
 * states whether it may block, what it may throw and when its effect is durable. Nothing in this
 * package does I/O itself.
 */
package dev.modpaxos.spi;
