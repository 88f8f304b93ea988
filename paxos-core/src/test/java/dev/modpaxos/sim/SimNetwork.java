package dev.modpaxos.sim;

import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.Stamp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The simulated network: a priority queue of in-flight messages keyed by delivery tick, then by
 * send order (the tie-break that keeps runs deterministic). Loss, duplication and delay are drawn
 * from the run's random stream; random delays reorder messages. Partitions block directed links,
 * both when a message is sent and when it would be delivered. Not thread-safe.
 */
final class SimNetwork {
  /** A message on its way with its sender's stamp, due at {@code deliverAtTick}. */
  record InFlight(long deliverAtTick, long order, Stamp stamp, Message message) {}

  /** A set of blocked directed links, active until {@code healAtTick}. */
  record Partition(Set<Long> blockedLinks, long healAtTick, String description) {
    boolean blocks(int from, int to) {
      return blockedLinks.contains(link(from, to));
    }
  }

  private final PriorityQueue<InFlight> queue =
      new PriorityQueue<>(
          Comparator.comparingLong(InFlight::deliverAtTick).thenComparingLong(InFlight::order));
  private final List<Partition> partitions = new ArrayList<>();
  private final SplittableRandom random;
  private double lossRate;
  private double duplicateRate;
  private final int delayTicksMax;
  private final double longDelayRate;
  private long order;
  private long dropped;

  SimNetwork(SplittableRandom random, SimShape shape) {
    this.random = random;
    this.lossRate = shape.lossRate();
    this.duplicateRate = shape.duplicateRate();
    this.delayTicksMax = shape.delayTicksMax();
    this.longDelayRate = shape.longDelayRate();
  }

  static long link(int from, int to) {
    return ((long) from << 32) | (to & 0xffffffffL);
  }

  void send(Stamp stamp, Message m, long now) {
    if (isBlocked(m.from(), m.to()) || random.nextDouble() < lossRate) {
      dropped++;
      return;
    }
    enqueue(stamp, m, now);
    if (random.nextDouble() < duplicateRate) {
      enqueue(stamp, m, now);
    }
  }

  private void enqueue(Stamp stamp, Message m, long now) {
    long delay =
        random.nextDouble() < longDelayRate
            ? 1 + random.nextInt(SimShape.LONG_DELAY_TICKS_MAX)
            : 1 + random.nextInt(delayTicksMax);
    queue.add(new InFlight(now + delay, order++, stamp, m));
  }

  /** The next message due at or before {@code now}, or null. */
  InFlight pollDue(long now) {
    InFlight head = queue.peek();
    return head != null && head.deliverAtTick() <= now ? queue.poll() : null;
  }

  boolean isBlocked(int from, int to) {
    for (Partition p : partitions) {
      if (p.blocks(from, to)) {
        return true;
      }
    }
    return false;
  }

  void drop() {
    dropped++;
  }

  void partition(Partition p) {
    partitions.add(p);
  }

  /** Removes partitions due to heal by {@code now}; returns them. */
  List<Partition> healDue(long now) {
    List<Partition> healed = new ArrayList<>();
    partitions.removeIf(p -> p.healAtTick() <= now && healed.add(p));
    return healed;
  }

  /** The liveness phase: every partition healed and no more loss. */
  void healAll() {
    partitions.clear();
    lossRate = 0;
  }

  int partitionsActive() {
    return partitions.size();
  }

  long dropped() {
    return dropped;
  }
}
