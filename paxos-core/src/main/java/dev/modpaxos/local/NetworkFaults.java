package dev.modpaxos.local;

import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The switchboard of {@link FaultInjectingTransport}s: which nodes are disconnected, which links
 * are cut (one-way), and the drop probability, duplicate probability and delay of the rest.
 * Shared by every node's decorator in one JVM, or one per process (then a cut link {@code a -> b}
 * set in {@code b}'s process drops on arrival). Thread-safe; changes take effect for the next
 * message.
 */
public final class NetworkFaults {
  private final Set<Integer> disconnected = ConcurrentHashMap.newKeySet();
  private final Set<Long> cutLinks = ConcurrentHashMap.newKeySet();
  private final Random random;
  private volatile double dropProbability;
  private volatile double duplicateProbability;
  private volatile long delayMillisMax;
  private final AtomicLong dropped = new AtomicLong();

  /**
   * Faults drawn from {@code seed}: none until set, every node connected.
   *
   * @param seed decides the random drops and delays
   */
  public NetworkFaults(long seed) {
    this.random = new Random(seed);
  }

  /**
   * Node {@code id} sends and receives nothing until {@link #reconnect}.
   *
   * @param id the node to cut off
   */
  public void disconnect(int id) {
    disconnected.add(id);
  }

  /**
   * Undoes {@link #disconnect} for node {@code id} (its cut links stay cut).
   *
   * @param id the node to reconnect
   */
  public void reconnect(int id) {
    disconnected.remove(id);
  }

  /**
   * {@return true while node {@code id} is disconnected}
   *
   * @param id the node
   */
  public boolean isDisconnected(int id) {
    return disconnected.contains(id);
  }

  /**
   * Drops every message from {@code from} to {@code to} (one way).
   *
   * @param from the sender whose messages are dropped
   * @param to the addressee they would reach
   */
  public void cut(int from, int to) {
    cutLinks.add(link(from, to));
  }

  /**
   * Cuts both directions between {@code a} and {@code b}.
   *
   * @param a one node
   * @param b the other node
   */
  public void partition(int a, int b) {
    cut(a, b);
    cut(b, a);
  }

  /** Restores every link and reconnects every node; keeps drop probability and delay. */
  public void heal() {
    cutLinks.clear();
    disconnected.clear();
  }

  /** Restores every cut link; keeps the disconnected nodes, drop probability and delay. */
  public void restoreLinks() {
    cutLinks.clear();
  }

  /**
   * Drops each message that passes the cuts with probability {@code p} (in [0, 1]).
   *
   * @param p the probability, in [0, 1]
   */
  public void dropProbability(double p) {
    if (p < 0 || p > 1) {
      throw new IllegalArgumentException("drop probability must be in [0, 1], got " + p);
    }
    dropProbability = p;
  }

  /**
   * Sends each message that passes the cuts and drops twice with probability {@code p} (in [0, 1]):
   * the addressee receives it twice (delayed independently, so the copies may reorder).
   *
   * @param p the probability, in [0, 1]
   */
  public void duplicateProbability(double p) {
    if (p < 0 || p > 1) {
      throw new IllegalArgumentException("duplicate probability must be in [0, 1], got " + p);
    }
    duplicateProbability = p;
  }

  /**
   * Delays each message by a random 0..{@code millis} ms (so messages also reorder).
   *
   * @param millis the longest delay, {@code >= 0}
   */
  public void delayMillisMax(long millis) {
    if (millis < 0) {
      throw new IllegalArgumentException("delay must be >= 0, got " + millis);
    }
    delayMillisMax = millis;
  }

  /**
   * {@return true while the link from {@code from} to {@code to} is cut}
   *
   * @param from the sender
   * @param to the addressee
   */
  public boolean isCut(int from, int to) {
    return cutLinks.contains(link(from, to));
  }

  /** {@return the probability a message that passes the cuts is dropped} */
  public double dropProbability() {
    return dropProbability;
  }

  /** {@return the probability a message that passes the cuts and drops is sent twice} */
  public double duplicateProbability() {
    return duplicateProbability;
  }

  /** {@return the longest delay of a message, in ms} */
  public long delayMillisMax() {
    return delayMillisMax;
  }

  /** {@return how many messages these faults dropped} */
  public long dropped() {
    return dropped.get();
  }

  /** True if a message from {@code from} to {@code to} passes the disconnects and cuts. */
  boolean admits(int from, int to) {
    boolean ok =
        !disconnected.contains(from)
            && !disconnected.contains(to)
            && !cutLinks.contains(link(from, to));
    if (ok && dropProbability > 0) {
      synchronized (random) {
        ok = random.nextDouble() >= dropProbability;
      }
    }
    if (!ok) {
      dropped.incrementAndGet();
    }
    return ok;
  }

  /**
   * True if a message from {@code from} that arrived at {@code to} passes the disconnects and the
   * cut of link {@code from -> to}; the random drops are the sender's. Counts a drop.
   */
  boolean admitsInbound(int from, int to) {
    boolean ok =
        !disconnected.contains(from)
            && !disconnected.contains(to)
            && !cutLinks.contains(link(from, to));
    if (!ok) {
      dropped.incrementAndGet();
    }
    return ok;
  }

  /** {@return how many copies of an admitted message to send: 1, or 2 for a duplicate} */
  int copies() {
    double p = duplicateProbability;
    if (p == 0) {
      return 1;
    }
    synchronized (random) {
      return random.nextDouble() < p ? 2 : 1;
    }
  }

  long nextDelayMillis() {
    long max = delayMillisMax;
    if (max == 0) {
      return 0;
    }
    synchronized (random) {
      return (long) (random.nextDouble() * max);
    }
  }

  private static long link(int from, int to) {
    return ((long) from << 32) | (to & 0xffffffffL);
  }
}
