package dev.modpaxos.protocol;

import dev.modpaxos.protocol.Message.ReadIndex;
import dev.modpaxos.protocol.Message.ReadIndexRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Linearizable reads by quorum read-index (R19). <b>Not thread-safe.</b>
 *
 * <p>A read asks a majority of voting members for their read index (the highest slot each has
 * committed or voted for), takes the highest answer, and is ready once this node has committed
 * every slot up to it. Every read that arrives while a probe is out waits for the next probe, so
 * one probe serves every read of a batch, and a probe never serves a read that began after it
 * left.
 */
final class Reader {
  /** A read fails after this many round timeouts without being served (R19). */
  static final int READ_TIMEOUTS_MAX = 10;

  private record Read(long ticket, long startTick) {}

  // epoch: the configuration's epoch when the index was counted (R21).
  private record Waiting(Read read, long index, long epoch) {}

  private final Replica replica;
  private final Rules rules;
  private long nextTicket;
  private long nextProbe;
  // Reads not yet covered by a probe; the next probe leaves with the next batch.
  private final List<Read> queued = new ArrayList<>();
  // The probe out now, or 0. Invariant: probe == 0 implies probing.isEmpty().
  private long probe;
  private long probeTick;
  private final List<Read> probing = new ArrayList<>();
  private final Map<Integer, Integer> answered = new HashMap<>();
  // Invariant: the highest read index answered to the probe out now.
  private long probeIndex;
  private int probeIndexFrom;
  // Reads whose index is known, waiting for this node to commit up to it.
  private final List<Waiting> waiting = new ArrayList<>();
  private long lastNudgeTick = Long.MIN_VALUE / 2;

  Reader(Replica replica, Rules rules) {
    this.replica = replica;
    this.rules = rules;
  }

  /** R19: a new linearizable read; its ticket is settled in {@link Ready#readsReady()} or failed. */
  long read() {
    long ticket = ++nextTicket;
    Read r = new Read(ticket, replica.now());
    if (!rules.readIndexNeedsQuorum()) {
      waiting.add(new Waiting(r, replica.committedSlot(), replica.membership().epoch())); // broken
      settle();
    } else {
      queued.add(r);
    }
    return ticket;
  }

  /** Called as a batch is drained: sends one probe for every read queued since the last one. */
  void flush() {
    if (probe == 0 && !queued.isEmpty()) {
      probing.addAll(queued);
      queued.clear();
      sendProbe();
    }
  }

  private void sendProbe() {
    probe = ++nextProbe;
    probeTick = replica.now();
    answered.clear();
    probeIndex = 0;
    probeIndexFrom = 0;
    long p = probe;
    replica.broadcast(to -> new ReadIndexRequest(replica.self(), to, p));
  }

  /** R19, as an acceptor: a voting member answers with its read index; a learner stays silent. */
  Message onRequest(ReadIndexRequest r) {
    if (!replica.isVoting()) {
      return null;
    }
    return new ReadIndex(
        replica.self(), r.from(), r.probe(), replica.acceptor().readIndex(), replica.generation());
  }

  /** R19: counts an answer from a current member (R17) to the probe out now. */
  void onReadIndex(ReadIndex r) {
    long committed = replica.committedSlot();
    List<Membership> configs =
        replica.configs().governing(committed + 1, committed + ReplicaConfig.PIPELINE_SLOTS_LIMIT);
    if (r.probe() != probe
        || probe == 0
        || !Configs.countsIn(configs, r.from(), r.generation())
        || answered.putIfAbsent(r.from(), r.generation()) != null) {
      return;
    }
    if (r.index() >= probeIndex) {
      probeIndex = r.index();
      probeIndexFrom = r.from();
    }
    if (!Configs.isQuorum(configs, answered)) {
      return; // R21: a majority of every configuration governing the next L slots
    }
    long epoch = replica.membership().epoch();
    for (Read read : probing) {
      waiting.add(new Waiting(read, probeIndex, epoch));
    }
    probing.clear();
    probe = 0;
    if (probeIndex > replica.committedSlot()) {
      replica.requestCatchUp(probeIndexFrom); // it may have committed what we lack (R11)
    }
    settle();
  }

  /** Moves every read whose index this node has committed to the batch's ready reads. */
  void settle() {
    if (waiting.isEmpty()) {
      return;
    }
    long committed = replica.committedSlot();
    long epoch = replica.membership().epoch();
    Iterator<Waiting> it = waiting.iterator();
    while (it.hasNext()) {
      Waiting w = it.next();
      if (w.index() > committed) {
        continue;
      }
      it.remove();
      if (w.epoch() != epoch && rules.readIndexNeedsQuorum()) {
        // R21: the configuration changed between the count and now; slots after the index may be
        // governed by voters the probe did not ask. Probe again (the read began before it too).
        queued.add(w.read());
      } else {
        replica.out().readsReady.add(w.read().ticket());
      }
    }
  }

  /**
   * Liveness only: re-sends a probe that found no majority in a round timeout, asks for blocks a
   * waiting read lacks, runs a round to decide a slot that a read waits on and nobody decides,
   * and fails a read after {@link #READ_TIMEOUTS_MAX} round timeouts.
   */
  void onTick() {
    long now = replica.now();
    long timeout = replica.config().roundTimeoutTicks();
    failExpired(now, timeout * READ_TIMEOUTS_MAX);
    if (probe != 0 && now - probeTick >= timeout) {
      sendProbe(); // the same reads: they began before this probe too
    }
    if (waiting.isEmpty() || now - lastNudgeTick < timeout) {
      return;
    }
    long oldest = Long.MAX_VALUE;
    for (Waiting w : waiting) {
      oldest = Math.min(oldest, w.read().startTick());
    }
    if (now - oldest >= timeout) {
      lastNudgeTick = now;
      replica.requestCatchUp();
      // Only if nobody else runs rounds: the first reader to campaign decides the slot for all.
      if (now - oldest >= 2 * timeout && replica.isVoting()
          && replica.proposer().idleAndQuietFor(2 * timeout + replica.random().nextInt(
              (int) timeout + 1))) {
        replica.proposer().requestRound(); // recovers the slot by R7; the ticket is nobody's
      }
    }
  }

  private void failExpired(long now, long limit) {
    List<Long> failed = replica.out().readsFailed;
    queued.removeIf(r -> expired(r, now, limit, failed));
    probing.removeIf(r -> expired(r, now, limit, failed));
    waiting.removeIf(w -> expired(w.read(), now, limit, failed));
    if (probe != 0 && probing.isEmpty()) {
      probe = 0;
    }
  }

  private static boolean expired(Read r, long now, long limit, List<Long> failed) {
    if (now - r.startTick() < limit) {
      return false;
    }
    failed.add(r.ticket());
    return true;
  }

  /** Reads not yet served, for status and tests. */
  int pending() {
    return queued.size() + probing.size() + waiting.size();
  }
}
