/**
 * The service provider interfaces a node is assembled from: {@link dev.modpaxos.spi.Transport},
 * {@link dev.modpaxos.spi.Store} and {@link dev.modpaxos.spi.Application}. Each method's Javadoc
 * states whether it may block, what it may throw and when its effect is durable. Nothing in this
 * package does I/O itself.
 */
package dev.modpaxos.spi;
