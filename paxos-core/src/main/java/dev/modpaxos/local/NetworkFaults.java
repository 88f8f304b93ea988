package dev.modpaxos.local;

import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shared switchboard of {@link FaultInjectingTransport}s: which nodes are disconnected, which
 * links are cut (one-way), and the drop probability and delay of the rest. Thread-safe; changes
 * take effect for the next message.
 */
public final class NetworkFaults {
  private final Set<Integer> disconnected = ConcurrentHashMap.newKeySet();
  private final Set<Long> cutLinks = ConcurrentHashMap.newKeySet();
  private final Random random;
  private volatile double dropProbability;
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
