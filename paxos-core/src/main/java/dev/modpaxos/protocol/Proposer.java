package dev.modpaxos.protocol;

import dev.modpaxos.protocol.Message.Accept;
import dev.modpaxos.protocol.Message.Accepted;
import dev.modpaxos.protocol.Message.Commit;
import dev.modpaxos.protocol.Message.Forward;
import dev.modpaxos.protocol.Message.Prepare;
import dev.modpaxos.protocol.Message.Promise;
import dev.modpaxos.protocol.Message.Reject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The proposer role of one replica: rounds, the stable-leader fast path, forwarding and
 * {@code runRound()} tickets (R5–R9, R12–R14). Not thread-safe.
 */
final class Proposer {
  enum Phase {
    IDLE,
    BACKOFF,
    PREPARING,
    ACCEPTING
  }

  private static final int POOL_ENTRIES_MAX_FACTOR = 4;

  private final Replica replica;
  private final Rules rules;
  private final ReplicaConfig config;
  private Phase phase = Phase.IDLE;
  // The ballot of the current or last round; meaningful unless phase == IDLE && !leader.
  private Ballot ballot = Ballot.ZERO;
  // Invariant: maxSeen >= every ballot this replica has observed or issued.
  private Ballot maxSeen = Ballot.ZERO;
  // Invariant: leader implies a majority promised `ballot` (R13).
  private boolean leader;
  // Invariant: while PREPARING, slot == committedSlot + 1 at the time it started.
  private long slot;
  private final Map<Integer, Promise> promises = new HashMap<>();
  // R21: the configurations governing the slots this PREPARE covers; each needs a majority.
  private List<Membership> prepareConfigs = List.of();
  // R21: the reconfiguration this node asked for, while it may still be chosen; or null.
  private EntryId ownReconfig;
  // R21: a leader that hands over starts no new slot before this tick.
  private long pausedUntilTick = Long.MIN_VALUE / 2;
  private long majorityAtTick = -1;
  // R14: when this round's PREPARE was last sent.
  private long prepareSentTick;
  // R18: the slots this leader has ACCEPTs out for at `ballot`, in slot order. Invariant: every
  // key > committedSlot.
  private final TreeMap<Long, InFlight> inFlight = new TreeMap<>();
  // R7, R18: values recovered by the won PREPARE (EMPTY for a gap), still to be proposed in order.
  private final ArrayDeque<Proposal> backlog = new ArrayDeque<>();
  // The ids of every entry in `inFlight` and `backlog`: a fresh block never repeats one.
  private final Set<EntryId> inFlightIds = new HashSet<>();
  private int inFlightEntries;
  private long inFlightBytes;
  // The slot whose commit settles `ticketsInRound` (R14), or -1 while its fresh block is unbuilt.
  private long ticketSlot = -1;
  private long deadlineTick;
  private long backoffUntilTick;
  private int attempts;
  // Entries of other nodes, collected from promises or forwarded (R6, R13); never chosen ones.
  private final LinkedHashMap<EntryId, Entry> pool = new LinkedHashMap<>();
  // Invariant: the number of control entries in `pool` (R17).
  private int controlEntriesPooled;
  private final List<Long> ticketsQueued = new ArrayList<>();
  private final List<Long> ticketsInRound = new ArrayList<>();
  private long nextTicket;
  // AUTO-mode follower state (R13).
  private int forwardedTo;
  private long forwardedSeq;
  private long lastForwardTick;
  // Since when this node's own entries wait to be chosen, or -1 if its local log is empty.
  private long waitingSinceTick;
  // When this node's acceptor last promised another node's ballot.
  private long promisedElsewhereTick = Long.MIN_VALUE / 2;
  // ON_DEMAND (R14): the last round seen here (this node's or another's) is live until this
  // tick, or ended then (a slot was chosen), and whose it is; runRound() takes turns after it.
  private long lastRoundUntilTick = Long.MIN_VALUE / 2;
  private int lastRoundOwner;
  // ON_DEMAND (R14): since when the waiting tickets defer to other rounds; -1 if they do not.
  private long deferringSinceTick = -1;
  // ON_DEMAND (R14): when this node last saw another node want a round while it wanted one too
  // (its PREPARE or ACCEPT refused here, or seen during a round of ours or while we wait, or a
  // REJECT naming it); turns are taken only while that is recent.
  private long contendedTick = Long.MIN_VALUE / 2;

  /** One slot in flight (R18). */
  private static final class InFlight {
    final Block block;
    final long startTick;
    final Set<Integer> votes = new HashSet<>();
    boolean decided;

    InFlight(Block block, long startTick) {
      this.block = block;
      this.startTick = startTick;
    }
  }

  Proposer(Replica replica, Rules rules) {
    this.replica = replica;
    this.rules = rules;
    this.config = replica.config();
    // A node restarted with a non-empty local log is waiting too, so it can take over (R13).
    this.waitingSinceTick = replica.log().localLogSize() > 0 ? replica.now() : -1;
  }

  Phase phase() {
    return phase;
  }

  boolean isLeader() {
    return leader;
  }

  Ballot ballot() {
    return ballot;
  }

  // ---- inputs -------------------------------------------------------------------------------

  long requestRound() {
    long ticket = ++nextTicket;
    if (!replica.isVoting()) {
      replica.out().roundsFailed.add(ticket); // a learner runs no round (R16)
      return ticket;
    }
    ticketsQueued.add(ticket);
    if (phase == Phase.IDLE) {
      startOrDefer();
    }
    return ticket;
  }

  void onSubmitted() {
    if (waitingSinceTick < 0) {
      waitingSinceTick = replica.now();
    }
  }

  /**
   * R13, R18: called as a batch is drained. A stable leader in AUTO mode proposes what arrived in
   * this batch (submits, forwards) as one new slot, if its window has room: one block per batch,
   * not per submit, so that one sync covers it (group commit). In either mode, a leader whose
   * window the learner emptied (its in-flight slots chosen by a COMMIT or catch-up rather than
   * by its own votes) starts the recovered values still waiting behind them: nothing else would,
   * for an ACCEPTING round with no slot in flight has no timeout to run out.
   */
  void flushProposals() {
    if (!leader || !replica.isVoting()) {
      return;
    }
    if (config.trigger() == RoundTrigger.AUTO
        && (phase == Phase.IDLE || phase == Phase.ACCEPTING)) {
      pump();
    } else if (phase == Phase.ACCEPTING && !backlog.isEmpty() && hasRoom()) {
      pump();
    }
  }

  void onTick() {
    long now = replica.now();
    if (!replica.isVoting()) {
      if (phase == Phase.PREPARING || phase == Phase.ACCEPTING) {
        lose(); // replaced or removed mid-round (R17, R21)
      }
      if (phase != Phase.IDLE || leader) {
        // No round of this node can finish any more.
        leader = false;
        promises.clear();
        clearPipeline();
        phase = Phase.IDLE;
      }
      if (!ticketsQueued.isEmpty() || !ticketsInRound.isEmpty()) {
        settleTickets(false);
      }
      return;
    }
    switch (phase) {
      case PREPARING -> {
        if (majorityAtTick >= 0) {
          if (now - majorityAtTick >= config.promiseWaitTicks() || heardFromAllReachable()) {
            finishPrepare(); // R14: a phase with a majority is never abandoned for time
          } else if (now - prepareSentTick >= prepareRepeatTicks()) {
            broadcastPrepare(); // R14: keeps the round live at the others while it waits
          }
        } else if (now >= deadlineTick) {
          lose();
        }
      }
      case ACCEPTING -> {
        if (!inFlight.isEmpty()
            && now - inFlight.firstEntry().getValue().startTick >= config.roundTimeoutTicks()) {
          lose(); // the oldest slot found no majority in time
        }
      }
      case BACKOFF -> {
        if (now >= backoffUntilTick) {
          phase = Phase.IDLE;
          boolean asked = !ticketsQueued.isEmpty() || !ticketsInRound.isEmpty();
          if (!asked && (yieldsToNewLeader() || yieldsMembershipWork())) {
            waitingSinceTick = now; // forward to it instead; take over only if it stalls (R13)
          } else if (asked) {
            ticketsQueued.addAll(0, ticketsInRound);
            ticketsInRound.clear();
            startOrDefer();
          } else if (hasWork()) {
            startPrepare();
          }
        }
      }
      case IDLE -> maybeStartWork();
    }
    if (config.trigger() == RoundTrigger.AUTO) {
      followerTick(now);
    }
  }

  void onPromise(Promise p) {
    observe(p.ballot());
    if (phase != Phase.PREPARING
        || !p.ballot().equals(ballot)
        || !Configs.countsIn(prepareConfigs, p.from(), p.generation())) {
      return; // R17, R21: a promise of an older generation or a non-voter never counts
    }
    if (p.committedSlot() < replica.log().committedSlot()) {
      // R12: the acceptor lags; send it what it lacks. A value it accepted for a slot we know is
      // decided is never re-proposed: the blocks we send are the COMMIT for it.
      replica.sendCatchUp(p.from(), p.committedSlot() + 1);
    }
    promises.put(p.from(), p);
    Map<Integer, Integer> answered = new HashMap<>();
    for (Promise q : promises.values()) {
      answered.put(q.from(), q.generation());
    }
    if (!Configs.isQuorum(prepareConfigs, answered)) {
      return; // R21: a majority of every configuration governing the slots it covers
    }
    boolean waitForRest =
        config.trigger() == RoundTrigger.ON_DEMAND
            && config.promiseWaitTicks() > 0
            && !heardFromAllReachable();
    if (!waitForRest) {
      finishPrepare();
    } else if (majorityAtTick < 0) {
      majorityAtTick = replica.now();
    }
  }

  void onAccepted(Accepted a) {
    observe(a.ballot());
    InFlight f = inFlight.get(a.slot());
    if (phase != Phase.ACCEPTING
        || !a.ballot().equals(ballot)
        || f == null
        || f.decided) {
      return;
    }
    // R21: the configuration as of slot - L governs this slot; only its current voters count
    // (R17: a vote of an older generation never does).
    Membership governing = replica.configs().governing(a.slot());
    if (!governing.isCurrent(a.from(), a.generation())) {
      return;
    }
    f.votes.add(a.from());
    if (f.votes.size() >= governing.majority()) {
      decide(a.slot(), f);
    }
  }

  void onReject(Reject r) {
    observe(r.promised());
    if ((phase != Phase.PREPARING && phase != Phase.ACCEPTING) || !r.ballot().equals(ballot)) {
      return;
    }
    switch (r.reason()) {
      case HIGHER_BALLOT -> {
        if (r.promised().isAbove(ballot)) {
          onRoundSeen(r.promised(), false); // R14: the hint: its owner's round may be live
          lose();
        }
      }
      case SLOT_DECIDED -> {
        if (r.committedSlot() > replica.log().committedSlot()) {
          // R10/R11: we are behind; fetch the missing blocks first, then try again.
          replica.requestCatchUp(r.from());
          lose();
        }
        // Otherwise the acceptor knows the slot decided but lacks its block (a torn batch, R15):
        // it is a vote we cannot count, not a reason to give up on the others.
      }
      case ACCEPTOR_BEHIND -> {
        // R11/R12: an ACCEPT overtook the COMMIT before it. Send the acceptor what it lacks and
        // the ACCEPT again, rather than let the fast path time out into a full round.
        InFlight f = inFlight.get(r.slot());
        if (phase == Phase.ACCEPTING && f != null && !f.decided) {
          replica.sendCatchUp(r.from(), r.committedSlot() + 1);
          replica.send(new Accept(replica.self(), r.from(), ballot, r.slot(), f.block));
        }
      }
    }
  }

  void onForward(Forward f) {
    for (Entry e : f.entries()) {
      addToPool(e);
    }
    // A stable leader proposes them with the batch (flushProposals).
  }

  /**
   * ON_DEMAND, R14: a round at ballot {@code b} is live here: this node started it, its acceptor
   * promised or voted for it ({@code here}), or a REJECT named it (which may be a round that has
   * ended, so it alone is no sign of contention). It counts as live for one round timeout from
   * its latest such message, unless a slot is chosen first: a round that chooses nothing ends
   * without a COMMIT, and one that waits longer than that for promises is not waited for.
   */
  void onRoundSeen(Ballot b, boolean here) {
    if (config.trigger() == RoundTrigger.ON_DEMAND) {
      if (here && b.nodeId() != replica.self()
          && (!ticketsQueued.isEmpty() || !ticketsInRound.isEmpty())) {
        contendedTick = replica.now();
      }
      lastRoundOwner = b.nodeId();
      lastRoundUntilTick = Math.max(lastRoundUntilTick, replica.now() + config.roundTimeoutTicks());
    }
  }

  /**
   * R14: starts the round the waiting tickets asked for; in ON_DEMAND mode, while nodes contend
   * for rounds (within {@code 2 × deferTicksMax()} of a refused PREPARE or ACCEPT of another node,
   * or of another node's round seen while this one wants one), not before this node's
   * turn after the last round seen here ({@link #turnTick()}), looking again then (a newer round
   * may have been seen meanwhile). A ticket defers for at most {@link #deferTicksMax()} in
   * all, then campaigns anyway. Deferring is no lost attempt: it changes when a round starts,
   * never what it does.
   */
  private void startOrDefer() {
    long now = replica.now();
    boolean contended = now - contendedTick < 2 * deferTicksMax();
    if (config.trigger() == RoundTrigger.ON_DEMAND && contended && turnTick() > now) {
      if (deferringSinceTick < 0) {
        deferringSinceTick = now;
      }
      if (now - deferringSinceTick < deferTicksMax()) {
        phase = Phase.BACKOFF;
        backoffUntilTick = turnTick();
        return;
      }
    }
    startPrepare();
  }

  /**
   * R14: the first tick at which this node may start a round after the last one seen here, so
   * that nodes that all have work take turns instead of dueling: the voter after that round's
   * owner right after it ends, the owner itself {@code backoffTicksMax} ticks later, then the
   * others in the voters' order, {@code backoffTicksMax} apart. The back-off is meant to exceed a
   * message's delay: the gap covers a round's end reaching two nodes at different times plus the
   * PREPARE of the one before, so each node sees that PREPARE before its turn and waits for it.
   */
  private long turnTick() {
    // Voters this node has not heard from lately are left out of the order: a cut-off or crashed
    // voter right after the owner would otherwise hand the next turn back to the owner, again
    // and again, and the others would wait for good.
    List<Integer> voters = new ArrayList<>();
    for (int v : replica.membership().voters()) {
      if (v == lastRoundOwner || replica.heardWithin(v, 2 * deferTicksMax())) {
        voters.add(v);
      }
    }
    int n = voters.size();
    int me = voters.indexOf(replica.self());
    int owner = voters.indexOf(lastRoundOwner);
    int position = 0;
    if (n >= 2 && me >= 0 && owner >= 0) {
      int rank = Math.floorMod(me - owner - 1, n); // the owner itself is n - 1
      position = rank == 0 ? 0 : rank == n - 1 ? 1 : rank + 1;
    }
    return lastRoundUntilTick + 1 + (long) position * config.backoffTicksMax();
  }

  /** R14: the longest a ticket defers to other rounds: the longest a PREPARE may last. */
  private long deferTicksMax() {
    return (long) config.roundTimeoutTicks() + config.promiseWaitTicks();
  }

  /** The acceptor of this replica promised {@code promised}; a leader at a lower ballot steps down. */
  /** ON_DEMAND, R14: this node's acceptor refused another node's lower ballot: it contends. */
  void onRefused(Ballot b) {
    if (b.nodeId() != replica.self()) {
      contendedTick = replica.now();
    }
  }

  void onPromisedElsewhere(Ballot promised) {
    observe(promised);
    if (promised.nodeId() != replica.self()) {
      promisedElsewhereTick = replica.now();
    }
    if (leader && promised.isAbove(ballot)) {
      leader = false;
    }
  }

  /**
   * R17: the membership changed with the slot just committed. A promise quorum gathered under the
   * old membership need not be a majority of the new one, so a stable leader steps down and the
   * next slot starts with a full PREPARE.
   */
  void onMembershipChanged() {
    leader = false;
    if (ownReconfig != null && !pool.containsKey(ownReconfig)) {
      ownReconfig = null;
    }
  }

  /** R21: a reconfiguration this node asked for is pooled and may still be chosen. */
  boolean hasPendingReconfig() {
    if (ownReconfig != null && !pool.containsKey(ownReconfig)) {
      ownReconfig = null; // chosen, or fenced as stale
    }
    return ownReconfig != null;
  }

  /**
   * R21: pools a reconfiguration this node was asked for; forwards it to the stable leader if
   * another node leads, and otherwise proposes it itself (hasWork).
   */
  void proposeControl(Entry e) {
    ownReconfig = e.id();
    poolControl(e);
  }

  /**
   * R15, R21: pools a control entry of this node's (a reconfiguration, or its id fence again if
   * a proposal of it was lost) and forwards it to the stable leader if another node leads;
   * otherwise this node proposes it itself (hasWork).
   */
  void poolControl(Entry e) {
    addToPool(e);
    int hint = replica.leaderHint();
    if (!leader && hint != 0 && hint != replica.self() && replica.membership().isVoter(hint)) {
      replica.send(new Forward(replica.self(), hint, List.of(e)));
    }
    if (phase == Phase.IDLE && !leader) {
      maybeStartWork();
    }
  }

  /** R21: leadership transfer: runs a full PREPARE now, skipping any back-off. */
  void campaign() {
    if (!replica.isVoting() || phase == Phase.PREPARING) {
      return;
    }
    attempts = 0;
    startPrepare();
  }

  /** R21: the node hands its lead over; it starts no new slot for {@code ticks}. */
  void pauseFor(long ticks) {
    pausedUntilTick = replica.now() + ticks;
  }

  /**
   * R20: the learner installed a snapshot up to {@code slot}: pooled entries it shows chosen (or
   * fenced under its membership) leave the pool, and a round for a slot now committed is stale.
   */
  void onSnapshotInstalled() {
    pool.keySet().removeIf(replica.log()::isChosen);
    pool.values().removeIf(replica::isFenced);
    controlEntriesPooled = (int) pool.keySet().stream().filter(EntryId::isControl).count();
    boolean pending = replica.log().localLogSize() > 0 || controlEntriesPooled > 0;
    waitingSinceTick = pending ? replica.now() : -1;
    leader = false; // its promise quorum may predate a membership change in the snapshot
    if (phase == Phase.PREPARING || phase == Phase.ACCEPTING) {
      lose();
    }
  }

  /**
   * The learner committed {@code sb} (what of it takes effect), for which {@code chosen} was
   * chosen (R18: admission may have dropped entries from it).
   */
  void onChosen(SlotBlock sb, Block chosen, boolean ownEntriesChosen) {
    if (config.trigger() == RoundTrigger.ON_DEMAND) {
      lastRoundUntilTick = replica.now(); // R14: the round ended; deferred tickets go in turn
      if (phase == Phase.BACKOFF && deferringSinceTick >= 0) {
        backoffUntilTick = Math.max(replica.now() + 1, turnTick());
        deferringSinceTick = replica.now(); // the cap is on deferring without progress
      }
    }
    for (Entry e : chosen.entries()) {
      if (pool.remove(e.id()) != null && e.id().isControl()) {
        controlEntriesPooled--;
      }
    }
    if (sb.block().hasControl()) {
      // R17: never choose a fenced entry; R15: nor one whose id an id fence took.
      pool.entrySet().removeIf(
          p -> replica.isFenced(p.getValue()) || replica.log().isChosen(p.getKey()));
      controlEntriesPooled = (int) pool.keySet().stream().filter(EntryId::isControl).count();
    }
    if (ownEntriesChosen || sb.block().hasControl()) {
      boolean pending = replica.log().localLogSize() > 0 || controlEntriesPooled > 0
          || hasOrphans();
      waitingSinceTick = pending ? replica.now() : -1;
    }
    if (phase == Phase.PREPARING && sb.slot() >= slot) {
      lose(); // someone else decided the slot this round was for: start over for the next one
      return;
    }
    if (phase != Phase.ACCEPTING) {
      return;
    }
    InFlight f = inFlight.remove(sb.slot());
    if (f != null) {
      release(f.block);
      if (!f.block.equals(chosen)) {
        lose(); // another proposer decided a slot we were proposing: our ballot is stale
        return;
      }
    }
    while (!backlog.isEmpty() && backlog.peekFirst().slot() <= sb.slot()) {
      Proposal dropped = backlog.pollFirst();
      release(dropped.block());
      if (!dropped.block().equals(chosen) && dropped.slot() == sb.slot()) {
        lose();
        return;
      }
    }
    if (ticketSlot >= 0 && replica.log().committedSlot() >= ticketSlot) {
      ticketSlot = -1;
      settleTickets(true);
    }
    if (inFlight.isEmpty() && backlog.isEmpty()) {
      phase = Phase.IDLE;
    }
  }

  // ---- rounds -------------------------------------------------------------------------------

  private void startPrepare() {
    if (!replica.isVoting()) {
      phase = Phase.IDLE;
      settleTickets(false); // a learner runs no round (R16)
      return;
    }
    if (replica.acceptor().promised().isAbove(maxSeen)) {
      maxSeen = replica.acceptor().promised();
    }
    deferringSinceTick = -1;
    ballot = maxSeen.next(replica.self(), replica.generation()); // R1: unique per incarnation
    maxSeen = ballot;
    onRoundSeen(ballot, true);
    leader = false;
    clearPipeline();
    phase = Phase.PREPARING;
    slot = replica.log().committedSlot() + 1;
    promises.clear();
    majorityAtTick = -1;
    deadlineTick = replica.now() + config.roundTimeoutTicks();
    ticketsInRound.addAll(ticketsQueued);
    ticketsQueued.clear();
    replica.out().events.add(new RoundEvent(RoundEvent.Kind.PREPARE_STARTED, ballot, slot));
    prepareConfigs = replica.configs().governing(slot, slot + ReplicaConfig.PIPELINE_SLOTS_LIMIT - 1);
    broadcastPrepare();
  }

  private void finishPrepare() {
    leader = true;
    attempts = 0;
    replica.out().events.add(new RoundEvent(RoundEvent.Kind.PREPARE_WON, ballot, slot));
    for (Promise p : promises.values()) {
      for (Entry e : p.localLog()) {
        addToPool(e);
      }
    }
    // R7, R18: every slot above the committed one that a promise carries a vote for is recovered
    // at its highest-ballot value; a gap below such a slot gets an empty block (a no-op).
    long committed = replica.log().committedSlot();
    long last = committed;
    for (Promise p : promises.values()) {
      for (Proposal a : p.accepted()) {
        last = Math.max(last, a.slot());
      }
    }
    for (long s = committed + 1; s <= last; s++) {
      Proposal recovered = rules.valueToRepropose(promises.values(), s);
      Block block = recovered == null ? Block.EMPTY : recovered.block();
      backlog.addLast(new Proposal(s, ballot, block));
      hold(block);
    }
    promises.clear();
    phase = Phase.ACCEPTING;
    pump();
  }

  /**
   * R18: starts ACCEPTs for as many slots as the window allows: first the recovered backlog, in
   * slot order, then fresh blocks. Membership changes need no barrier: a slot's quorum is
   * counted under the configuration as of {@code L} slots before it, which every slot in the
   * window has committed (R21).
   */
  private void pump() {
    if (!leader || !replica.isVoting()) {
      return;
    }
    if (phase == Phase.IDLE) {
      phase = Phase.ACCEPTING;
    }
    // Each ACCEPT reaches this node's own acceptor at once, which may refuse it and end the round.
    while (phase == Phase.ACCEPTING && leader && hasRoom()) {
      if (!backlog.isEmpty()) {
        Proposal next = backlog.pollFirst();
        release(next.block()); // startAccept holds it again, now in flight
        startAccept(next.slot(), next.block());
        continue;
      }
      // The round's own fresh block (R14) first; more only while no runRound() waits to start.
      boolean roundsOwn = !ticketsInRound.isEmpty() && ticketSlot < 0;
      if (!roundsOwn && (!ticketsQueued.isEmpty() || !hasWork()
          || replica.now() < pausedUntilTick)) {
        break;
      }
      Block block = buildBlock();
      if (block.isEmpty()) {
        if (!ticketsInRound.isEmpty() && ticketSlot < 0) {
          if (inFlight.isEmpty()) {
            settleTickets(true); // the round collected every log and all are chosen
          } else {
            ticketSlot = inFlight.lastKey();
          }
        }
        break;
      }
      long s = nextSlot();
      if (!ticketsInRound.isEmpty() && ticketSlot < 0) {
        ticketSlot = s;
      }
      startAccept(s, block);
    }
    if (phase == Phase.ACCEPTING && inFlight.isEmpty() && backlog.isEmpty()) {
      phase = Phase.IDLE;
      if (!ticketsQueued.isEmpty()) {
        startOrDefer(); // R14: runRound() asked for a full round while slots were in flight
      }
    }
  }

  /**
   * R14: every member has promised except those reported unreachable and those awaiting
   * re-admission (R16, R17: a learner answers no PREPARE, so waiting for it only holds the round
   * open for others to pre-empt; its surviving log comes by FORWARD instead).
   */
  private boolean heardFromAllReachable() {
    for (Membership c : prepareConfigs) {
      for (int m : c.voters()) {
        if (!promises.containsKey(m) && !replica.unreachable().contains(m)
            && !awaitsReadmission(m)) {
          return false;
        }
      }
    }
    return true;
  }

  /** True if the pool holds member {@code m}'s request to replace its current generation. */
  private boolean awaitsReadmission(int m) {
    if (controlEntriesPooled == 0) {
      return false;
    }
    for (Entry e : pool.values()) {
      Readmission r = e.id().isControl() ? Readmission.of(e) : null;
      if (r != null && r.member() == m && replica.generationOf(m) == r.replaces()) {
        return true;
      }
    }
    return false;
  }

  private boolean hasRoom() {
    if (inFlight.isEmpty()) {
      return true;
    }
    return inFlight.size() < config.pipelineSlots()
        && inFlightEntries < config.pipelineEntriesMax()
        && inFlightBytes < config.pipelineBytesMax();
  }

  private long nextSlot() {
    long s = replica.log().committedSlot() + 1;
    if (!inFlight.isEmpty()) {
      s = Math.max(s, inFlight.lastKey() + 1);
    }
    if (!backlog.isEmpty()) {
      s = Math.max(s, backlog.peekLast().slot() + 1);
    }
    return s;
  }

  /**
   * Sends this round's PREPARE to every member. R14: once a majority has promised, an on-demand
   * round may wait up to {@code promiseWaitTicks} for the others' promises and would send nothing
   * meanwhile; the others count a round as live for one round timeout from its latest message,
   * so it sends its PREPARE again every {@link #prepareRepeatTicks()} ticks while it waits. An
   * acceptor that promised the ballot promises it again (no write) and answers with its current
   * votes and log, which replace its earlier promise (at the same ballot it can only have gained
   * entries). Without it, three nodes with work and two members silently cut off preempted each
   * other's waiting rounds for good: no slot was chosen ({@code ContentionTest}).
   */
  private void broadcastPrepare() {
    prepareSentTick = replica.now();
    long committed = replica.log().committedSlot();
    Ballot b = ballot;
    replica.broadcast(to -> new Prepare(replica.self(), to, b, committed));
  }

  /** R14: how often a waiting PREPARE is sent again: half the round timeout. */
  private long prepareRepeatTicks() {
    return Math.max(1, config.roundTimeoutTicks() / 2);
  }

  private void startAccept(long s, Block block) {
    InFlight f = new InFlight(block, replica.now());
    inFlight.put(s, f);
    hold(block);
    replica.out().events.add(new RoundEvent(RoundEvent.Kind.ACCEPT_STARTED, ballot, s));
    onRoundSeen(ballot, true);
    Ballot b = ballot;
    replica.broadcast(to -> new Accept(replica.self(), to, b, s, block));
  }

  private void decide(long s, InFlight f) {
    f.decided = true;
    replica.out().events.add(new RoundEvent(RoundEvent.Kind.COMMITTED, ballot, s));
    replica.broadcastOthers(to -> new Commit(replica.self(), to, s, f.block)); // R9
    replica.commit(s, f.block, replica.self());
    if (phase == Phase.ACCEPTING || phase == Phase.IDLE) {
      maybeStartWork();
    }
  }

  private void hold(Block block) {
    for (Entry e : block.entries()) {
      inFlightIds.add(e.id());
    }
    inFlightEntries += block.entries().size();
    inFlightBytes += Budget.sizeOf(block);
  }

  // One remove per entry: Set.removeAll(List) is quadratic when the set is not larger.
  private void release(Block block) {
    for (Entry e : block.entries()) {
      inFlightIds.remove(e.id());
    }
    inFlightEntries -= block.entries().size();
    inFlightBytes -= Budget.sizeOf(block);
  }

  private void clearPipeline() {
    inFlight.clear();
    backlog.clear();
    inFlightIds.clear();
    inFlightEntries = 0;
    inFlightBytes = 0;
    ticketSlot = -1;
  }

  private void lose() {
    long at = inFlight.isEmpty() ? slot : inFlight.firstKey();
    replica.out().events.add(new RoundEvent(RoundEvent.Kind.LOST, ballot, at));
    leader = false;
    promises.clear();
    clearPipeline();
    attempts++;
    if (config.trigger() == RoundTrigger.ON_DEMAND && attempts >= config.roundAttemptsMax()) {
      attempts = 0;
      phase = Phase.IDLE;
      settleTickets(false);
      return;
    }
    phase = Phase.BACKOFF;
    int spread = config.backoffTicksMax() * Math.min(attempts, 4);
    backoffUntilTick = replica.now() + 1 + replica.random().nextInt(spread);
  }

  private void maybeStartWork() {
    if (phase == Phase.ACCEPTING) {
      pump();
      return;
    }
    if (phase != Phase.IDLE) {
      return;
    }
    if (!ticketsQueued.isEmpty()) {
      startOrDefer();
    } else if (!ticketsInRound.isEmpty() && leader) {
      // A re-proposed value was chosen; the logs this round collected still wait in the pool.
      pump();
    } else if (!ticketsInRound.isEmpty()) {
      // A re-proposed value was chosen but we lost the lead meanwhile: run the round again (R14).
      ticketsQueued.addAll(0, ticketsInRound);
      ticketsInRound.clear();
      startOrDefer();
    } else if (hasWork()) {
      if (leader) {
        pump();
      } else if (replica.leaderHint() == 0
          || (config.trigger() == RoundTrigger.ON_DEMAND && !yieldsMembershipWork())) {
        phase = Phase.BACKOFF; // nobody leads yet: jitter before campaigning
        backoffUntilTick = replica.now() + replica.random().nextInt(config.backoffTicksMax() + 1);
      }
    }
  }

  /**
   * In AUTO mode, after losing a round: true if another node has since won a higher ballot here,
   * so campaigning again would only duel with it.
   */
  private boolean yieldsToNewLeader() {
    return config.trigger() == RoundTrigger.AUTO
        && replica.leaderHint() != 0
        && replica.acceptor().promised().isAbove(ballot);
  }

  /**
   * Work that starts a round without {@code runRound()}: in AUTO mode any pending entry; in
   * either mode a pending membership change (R17), so that a learner is re-admitted without an
   * operator having to run a round.
   */
  /**
   * ON_DEMAND, R17: another node ran a round here recently; this node's promises carry its pooled
   * membership changes to that proposer, so campaigning for them too would only duel.
   */
  private boolean yieldsMembershipWork() {
    // That round may hold its PREPARE open for promiseWaitTicks before it accepts (R14).
    return config.trigger() == RoundTrigger.ON_DEMAND
        && replica.now() - promisedElsewhereTick
            < 2L * config.roundTimeoutTicks() + config.promiseWaitTicks();
  }

  /**
   * R19: true if this proposer is idle and no other node's PREPARE reached this node for {@code
   * ticks}: a read that waits on an undecided slot may then run a round to decide it, while a
   * node that sees someone else's round leaves it to them (so readers do not duel).
   */
  boolean idleAndQuietFor(long ticks) {
    return phase == Phase.IDLE && !leader && replica.now() - promisedElsewhereTick >= ticks;
  }

  /** Membership changes waiting in the pool, for a PROMISE to carry (R6, R17). */
  List<Entry> pooledControlEntries() {
    if (controlEntriesPooled == 0) {
      return List.of();
    }
    List<Entry> control = new ArrayList<>();
    for (Entry e : pool.values()) {
      if (e.id().isControl()) {
        control.add(e);
      }
    }
    return control;
  }

  private boolean hasWork() {
    if (!replica.isVoting()) {
      return false;
    }
    if (config.trigger() == RoundTrigger.AUTO) {
      return replica.log().localLogSize() + pool.size() > inFlightIds.size();
    }
    return controlEntriesPooled > 0 || hasOrphans();
  }

  // ON_DEMAND, R21: whether the pool holds entries of a removed member, checked once per round
  // timeout. Their origin can no longer run a round for them, so a voter does.
  private long orphansCheckedTick = Long.MIN_VALUE / 2;
  private boolean orphans;

  private boolean hasOrphans() {
    long now = replica.now();
    if (now - orphansCheckedTick >= config.roundTimeoutTicks()) {
      orphansCheckedTick = now;
      orphans = false;
      for (Entry e : pool.values()) {
        if (!e.id().isControl() && !replica.membership().contains(e.origin())) {
          orphans = true;
          break;
        }
      }
    }
    return orphans;
  }

  private void settleTickets(boolean ok) {
    List<Long> sink = ok ? replica.out().roundsDone : replica.out().roundsFailed;
    sink.addAll(ticketsInRound);
    ticketsInRound.clear();
    if (!ok) {
      sink.addAll(ticketsQueued);
      ticketsQueued.clear();
    }
    if (ticketsQueued.isEmpty()) {
      deferringSinceTick = -1;
    }
  }

  /**
   * The next major block: own local log, then pooled entries (membership changes among them),
   * de-duplicated, none chosen or in flight (R6, R18).
   */
  private Block buildBlock() {
    Budget budget = Budget.forBlock(config);
    List<Entry> entries = new ArrayList<>();
    Set<EntryId> ids = new HashSet<>();
    for (Entry e : replica.log().localLog()) {
      if (replica.isFenced(e) || inFlightIds.contains(e.id())) {
        continue; // R17: never an own entry of another generation
      }
      if (!budget.take(e)) {
        return new Block(entries);
      }
      ids.add(e.id());
      entries.add(e);
    }
    for (Entry e : pool.values()) {
      if (!replica.log().isChosen(e.id()) && !ids.contains(e.id()) && !replica.isFenced(e)
          && !inFlightIds.contains(e.id())) {
        if (!budget.take(e)) {
          break;
        }
        ids.add(e.id());
        entries.add(e);
      }
    }
    return entries.isEmpty() ? Block.EMPTY : new Block(entries);
  }

  private void addToPool(Entry e) {
    if (e.origin() == replica.self() || replica.log().isChosen(e.id()) || replica.isFenced(e)) {
      return;
    }
    if (pool.size() < config.blockEntriesMax() * POOL_ENTRIES_MAX_FACTOR
        && pool.putIfAbsent(e.id(), e) == null) { // the origin keeps it and re-sends it
      boolean orphan = !e.id().isControl() && !replica.membership().contains(e.origin());
      if (e.id().isControl()) {
        controlEntriesPooled++;
      }
      if (orphan) {
        orphans = true; // R21: a removed member's entry; no round of its origin will choose it
      }
      if ((e.id().isControl() || orphan) && waitingSinceTick < 0) {
        waitingSinceTick = replica.now(); // a follower takes over if the leader stalls (R13)
      }
    }
  }

  private void observe(Ballot b) {
    if (b.isAbove(maxSeen)) {
      maxSeen = b;
    }
  }

  // ---- AUTO-mode followers (R13) -------------------------------------------------------------

  /** Forwards new local entries to the stable leader; called just before effects are drained. */
  void flushForwards() {
    if (config.trigger() != RoundTrigger.AUTO
        || leader
        || phase != Phase.IDLE
        || !replica.isVoting()) {
      return;
    }
    int hint = replica.leaderHint();
    if (hint == 0 || replica.log().localLogSize() == 0) {
      return;
    }
    if (hint != forwardedTo) {
      forwardedTo = hint;
      forwardedSeq = 0;
    }
    List<Entry> fresh = new ArrayList<>();
    Budget budget = Budget.forBlock(config); // the rest goes with the next flush
    for (Entry e : replica.log().localLog()) {
      if (e.seq() <= forwardedSeq) {
        continue;
      }
      if (!budget.take(e)) {
        break;
      }
      fresh.add(e);
    }
    if (!fresh.isEmpty()) {
      forwardedSeq = fresh.get(fresh.size() - 1).seq();
      replica.send(new Forward(replica.self(), hint, fresh));
    }
  }

  private void followerTick(long now) {
    boolean pending = replica.log().localLogSize() > 0 || controlEntriesPooled > 0 || hasOrphans();
    if (leader || phase != Phase.IDLE || !pending) {
      return;
    }
    int hint = replica.leaderHint();
    boolean stalled =
        waitingSinceTick >= 0 && now - waitingSinceTick > 2L * config.roundTimeoutTicks();
    if (hint != 0 && !stalled) {
      if (now - lastForwardTick >= config.forwardIntervalTicks()) {
        lastForwardTick = now;
        forwardedSeq = 0; // re-forward everything still pending: forwards may have been lost
      }
      return;
    }
    if (stalled) {
      waitingSinceTick = now; // the leader is gone or cut off: take over (R13)
      startPrepare();
    }
  }

  void checkInvariants() {
    Invariants.require(maxSeen.isAtLeast(ballot), "maxSeen %s below ballot %s", maxSeen, ballot);
    if (phase == Phase.PREPARING) {
      Invariants.require(
          slot > replica.log().committedSlot(),
          "round for slot %d but committed %d",
          slot,
          replica.log().committedSlot());
    }
    long committed = replica.log().committedSlot();
    for (Map.Entry<Long, InFlight> f : inFlight.entrySet()) {
      Invariants.require(f.getKey() > committed, "slot %d in flight but committed %d",
          f.getKey(), committed);
      Invariants.require(f.getKey() <= committed + ReplicaConfig.PIPELINE_SLOTS_LIMIT,
          "slot %d in flight beyond the window of committed %d", f.getKey(), committed);
    }
    Invariants.require(inFlight.size() <= ReplicaConfig.PIPELINE_SLOTS_LIMIT,
        "%d slots in flight", inFlight.size());
    Invariants.require(phase == Phase.ACCEPTING || (inFlight.isEmpty() && backlog.isEmpty()),
        "slots in flight in phase %s", phase);
    for (Entry e : pool.values()) {
      Invariants.require(!replica.log().isChosen(e.id()), "pool holds chosen entry %s", e.id());
      Invariants.require(!replica.isFenced(e), "pool holds fenced entry %s", e.id());
    }
  }
}
