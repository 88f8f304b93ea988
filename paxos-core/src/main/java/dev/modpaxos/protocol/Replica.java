package dev.modpaxos.protocol;

import dev.modpaxos.protocol.Message.Accept;
import dev.modpaxos.protocol.Message.Accepted;
import dev.modpaxos.protocol.Message.CatchUp;
import dev.modpaxos.protocol.Message.CatchUpRequest;
import dev.modpaxos.protocol.Message.Commit;
import dev.modpaxos.protocol.Message.Forward;
import dev.modpaxos.protocol.Message.Prepare;
import dev.modpaxos.protocol.Message.Promise;
import dev.modpaxos.protocol.Message.ReadIndex;
import dev.modpaxos.protocol.Message.ReadIndexRequest;
import dev.modpaxos.protocol.Message.Reject;
import dev.modpaxos.spi.StoreIdentity;
import dev.modpaxos.spi.StoredState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * One node of the modified Multi-Paxos, as a pure state machine. <b>Not thread-safe.</b>
 *
 * <p>It does no I/O, reads no clock and draws randomness only from {@link ReplicaConfig#seed()}.
 * Inputs are {@link #submit}, {@link #runRound}, {@link #tick} and {@link #step}; their effects
 * accumulate until {@link #ready()} hands them over as one {@link Ready} batch, which the caller
 * must carry out in the order that class documents (persist, then send, then apply).
 *
 * <p>The rules it follows are numbered in docs/PROTOCOL.md and cited as R1, R2, ...
 */
public final class Replica {
  private final ReplicaConfig config;
  private final int self;
  private final SplittableRandom random;
  private final Effects out = new Effects();
  private final ChosenLog log;
  private final Acceptor acceptor;
  private final Proposer proposer;
  private final Reader reader;
  // The configuration as of the committed slot (R17, R21): configs.latest().
  private final Membership membership;
  // R21: which configuration governs which slot.
  private final Configs configs;
  // Every member of any configuration kept, but this node: the addressees of a broadcast.
  private int[] others = new int[0];
  // R21: the highest slot each node is known to have committed (from its catch-up requests).
  private final Map<Integer, Long> progress = new HashMap<>();
  // Invariant: identity.memberId() == self and identity.clusterId() == config.clusterId().
  private StoreIdentity identity;
  // Why this incarnation started without a vote (R16), or null.
  private String lostReason;
  // Test-only: the unsound pre-generation answer to lost state; null in production.
  private final Rules.LostStateGate gate;
  private final Rules rules;
  // R15, reserved ids: the store keeps an id floor; the `until` of the one an earlier batch
  // synced (own entries below it may leave early), 0 if none; the one the last batch wrote.
  private final boolean idFloors;
  private long reservedUntil;
  private dev.modpaxos.spi.IdFloor floorWritten;
  // R15: this node's id fence after a restart that found an id floor, until it is applied; no
  // submit is taken meanwhile. Null if none.
  private IdFence ownFence;
  private Entry ownFenceEntry;
  private long ownFenceSentTick = Long.MIN_VALUE / 2;
  private long lastLearnerDutyTick = Long.MIN_VALUE / 2;
  private long readmissionRequests;
  // Invariant: increases by one per tick(); the only notion of time in the core.
  private long now;
  // Ticks for which a chosen block or a removal has waited for a sync (R15).
  private int unsyncedTicks;
  // Members the runtime reports unable to answer now; a prepare waits for the others only (R14).
  private Set<Integer> unreachable = Set.of();
  // R14: the tick of the latest message from each member.
  private final java.util.Map<Integer, Long> lastHeard = new java.util.HashMap<>();
  // R2: the fingerprint of this node's cluster (its id and founding members); never changes.
  private final long fingerprint;
  // R2: messages of another cluster dropped so far.
  private long rejectedForeign;
  // R2: when this node last asked each member of a higher epoch for blocks (rate limit).
  private final Map<Integer, Long> behindAskedAt = new HashMap<>();
  // R20: the slot of this node's newest durable snapshot, offered to peers behind compaction.
  // Invariant: snapshotSlot >= log.compactedSlot().
  private long snapshotSlot;

  /**
   * Boots a founding member from what its store read back (an empty store is initialised as
   * generation 1), with a nonce derived from the config's seed. For tests and simulations of a
   * new cluster; a runtime uses {@link #Replica(ReplicaConfig, StoredState, Boot)}.
   *
   * @param config the configuration
   * @param state what the store read back
   */
  public Replica(ReplicaConfig config, StoredState state) {
    this(config, state, Boot.newCluster(config.seed() * 0x9E3779B97F4A7C15L + config.nodeId()));
  }

  /**
   * Boots a replica from what its store read back (R16): an intact store of this member resumes
   * at its generation; an empty store starts generation 1 only if {@code boot.bootstrap()}; any
   * reported loss, or an empty store of an existing member, starts a new incarnation that does
   * not vote until re-admitted (R17). Throws {@link IllegalStateException} if the store belongs to
   * another cluster or member.
   *
   * @param config the configuration
   * @param state what the store read back
   * @param boot how to start from it (R16)
   */
  public Replica(ReplicaConfig config, StoredState state, Boot boot) {
    this(config, state, boot, Rules.PAXOS);
  }

  Replica(ReplicaConfig config, StoredState state, Boot boot, Rules rules) {
    this.config = Objects.requireNonNull(config, "config");
    this.self = config.nodeId();
    this.random = new SplittableRandom(config.seed());
    this.rules = rules;
    this.membership = new Membership(config.members());
    this.configs = new Configs(membership, rules.configLag());
    this.fingerprint = Stamp.clusterFingerprint(config);
    this.identity = requireOwn(state.identity());
    if (boot.bootstrap() && !config.members().contains(self)) {
      throw new IllegalStateException("node " + self + " is not a founding member "
          + config.members() + ", so it cannot bootstrap: a node that joins later starts"
          + " without bootstrap (R21)");
    }
    this.idFloors = boot.idFloors();
    boolean lost = !state.losses().isEmpty() || (state.identity() == null && !state.isEmpty());
    this.gate = lost ? rules.gateAfterLoss(this) : null;
    if (gate != null) {
      identity = state.identity() != null ? state.identity() : founding(); // the unsound variant
    } else if (identity == null && state.isEmpty() && boot.bootstrap()) {
      identity = founding();
      out.identity = identity;
    } else if (identity != null && identity.isPending() && !lost) {
      lostReason = "it lost its state before an earlier restart";
    } else if (identity == null || lost) {
      lostReason = identity == null
          ? (state.isEmpty() ? "its store is empty and it is not bootstrapping a new cluster"
              : "its store records no identity")
          : "its store reported lost " + state.losses();
      identity = new StoreIdentity(config.clusterId(), self, StoreIdentity.PENDING,
          Readmission.normalise(boot.nonce()));
      out.identity = identity; // R16: synced before anything else leaves this node
    }
    // R16: a new incarnation forgets what its predecessor promised or accepted; it never votes
    // with it. R15: a crash may keep an accepted value but lose the block chosen just before it.
    boolean fresh = identity.isPending() && gate == null;
    List<Proposal> accepted = fresh ? List.of() : state.accepted();
    Ballot promised = fresh ? Ballot.ZERO : state.promised();
    for (Proposal vote : accepted) {
      if (vote.ballot().isAbove(promised)) {
        promised = vote.ballot();
      }
    }
    SnapshotState snapshot = boot.snapshot();
    if (snapshot != null) {
      configs.replaceWith(snapshot.configs()); // R20: as of the snapshot's slot
    }
    List<Block> run = state.chosen();
    List<SlotBlock> ahead = state.chosenAhead();
    if (!rules.setAsideKeepsItsSlots() && !ahead.isEmpty()) { // a broken test variant only
      List<Block> shifted = new ArrayList<>(run);
      for (SlotBlock b : ahead) {
        shifted.add(b.block());
      }
      run = shifted;
      ahead = List.of();
    }
    this.log = new ChosenLog(self, out, state.compactedSlot(), snapshot, run,
        ahead, state.localLog(), state.accepted(), identity.generation());
    this.snapshotSlot = snapshot == null ? 0 : snapshot.slot();
    this.acceptor = new Acceptor(this, rules, promised, accepted);
    this.proposer = new Proposer(this, rules);
    this.reader = new Reader(this, rules);
    long slot = state.compactedSlot() + 1;
    for (Block b : state.chosen()) {
      if (b.hasControl() && slot > snapshotSlot) {
        applyControl(new SlotBlock(slot, b)); // earlier ones are in the snapshot's membership
      }
      slot++;
    }
    configs.trim(log.committedSlot());
    indexOthers();
    refreshVoting();
    fenceReservedIds(state.idFloor());
  }

  /**
   * R15, reserved ids: a start that finds an id floor of this generation may follow a crash after
   * this node sent own entries in early ACCEPTs that its disk then lost. It hands out no id below
   * the floor again, and it takes no submit until an id fence of the range is applied: entries of
   * the range chosen before the fence's slot are applied by then (so the application's view of
   * its own pending work is exact again), and later ones never take effect. The ids it still
   * holds in its local log stay eligible. A clean stop clears the floor, so this is only after a
   * crash.
   */
  private void fenceReservedIds(dev.modpaxos.spi.IdFloor floor) {
    if (floor.isNone() || identity.isPending() || gate != null) {
      return;
    }
    int g = identity.generation();
    if (new EntryId(self, floor.until() - 1).generation() != g
        || new EntryId(self, Math.max(1, floor.from())).generation() != g) {
      return; // an older generation's floor: re-admission fenced all of those ids (R17)
    }
    if (!rules.fencesReservedIds()) {
      return; // the broken variant: hands the ids out again and takes submits at once
    }
    long[] keep = log.reserveUntil(floor.from(), floor.until());
    if (!rules.idFenceGatesSubmits()) {
      return; // the broken variant: skips the ids but takes submits at once, without a fence
    }
    IdFence fence = new IdFence(self, g, Math.max(1, floor.from()), floor.until(), keep);
    Entry entry = fence.toEntry();
    if (log.isChosen(entry.id())) {
      return; // the same fence was chosen before this start (and is applied by now)
    }
    ownFence = fence;
    ownFenceEntry = entry;
    proposer.poolControl(entry);
  }

  private void indexOthers() {
    others = configs.everyone().stream().mapToInt(Integer::intValue).filter(i -> i != self)
        .toArray();
  }

  private StoreIdentity requireOwn(StoreIdentity stored) {
    if (stored != null
        && (!stored.clusterId().equals(config.clusterId()) || stored.memberId() != self)) {
      throw new IllegalStateException(
          "the store belongs to " + stored + ", not to member " + self + " of cluster "
              + config.clusterId() + ": check the data directory and the node id");
    }
    return stored;
  }

  private StoreIdentity founding() {
    return StoreIdentity.founding(config.clusterId(), self);
  }

  // ---- inputs -------------------------------------------------------------------------------

  /**
   * R4: appends {@code payload} to the local log; no message is sent. Returns the entry's id.
   *
   * @param payload the entry's payload, copied
   * @return the new entry's id
   */
  public EntryId submit(byte[] payload) {
    String refused = submitRefusal();
    if (refused != null) {
      throw new IllegalStateException(refused);
    }
    Entry e = log.append(payload, identity.generation());
    proposer.onSubmitted();
    return e.id();
  }

  /**
   * R14: starts a full round (PREPARE first) that collects the local logs of every node that
   * answers and commits them. Returns a ticket reported in {@link Ready#roundsDone()} or {@link
   * Ready#roundsFailed()}.
   *
   * @return the round's ticket
   */
  public long runRound() {
    return proposer.requestRound();
  }

  /**
   * R19: starts a linearizable read. Its ticket appears in {@link Ready#readsReady()} once this
   * node has committed every slot that was chosen anywhere before this call (a majority's highest
   * read index), so the caller may then run the read on its application, after it applied that
   * batch's blocks; or in {@link Ready#readsFailed()} if no majority answered in time. Learners
   * read too: they ask the voters.
   *
   * @return the read's ticket
   */
  public long read() {
    return reader.read();
  }

  /**
   * R20: the protocol's part of a snapshot as of the committed slot. The caller snapshots its
   * application in the same state (right after the batch that committed this slot was applied),
   * stores both, and then calls {@link #snapshotTaken}. Throws if nothing is committed yet.
   *
   * @return the protocol state as of the committed slot
   */
  public SnapshotState snapshotState() {
    ChosenIndex index = rules.snapshotCarriesIndex() ? log.index() : new ChosenIndex();
    return SnapshotState.encode(log.committedSlot(), configs, index);
  }

  /**
   * R20: a snapshot of {@code slot} is durable; peers behind the compaction point are offered it.
   * Drops the blocks of slots up to {@code compactThrough} ({@code <= slot}) from memory: the
   * caller drops them from its store too ({@code Store#compactThrough}).
   *
   * @param slot the snapshot's slot
   * @param compactThrough the last slot whose block is dropped
   */
  public void snapshotTaken(long slot, long compactThrough) {
    if (compactThrough > slot || slot > log.committedSlot()) {
      throw new IllegalArgumentException(
          "snapshot of slot " + slot + " compacting through " + compactThrough
              + " (committed " + log.committedSlot() + ")");
    }
    snapshotSlot = Math.max(snapshotSlot, slot);
    log.compact(compactThrough);
  }

  /**
   * R20: installs a snapshot fetched from a peer, whose application state the caller has already
   * restored and stored durably (committed, and compacted through its slot). Every slot up to
   * its slot is then committed here; the node goes on fetching the blocks after it (R11). Returns
   * false, changing nothing, if this node has already committed that slot.
   *
   * @param snapshot the protocol state of the fetched snapshot
   * @return true if it was installed
   */
  public boolean installSnapshot(SnapshotState snapshot) {
    if (!log.install(snapshot)) {
      return false;
    }
    configs.replaceWith(snapshot.configs());
    indexOthers();
    refreshVoting();
    snapshotSlot = snapshot.slot();
    acceptor.onCommitted(snapshot.slot());
    proposer.onSnapshotInstalled();
    Block next = log.takeEarly(snapshot.slot() + 1);
    if (next != null) {
      commit(snapshot.slot() + 1, next, self);
    }
    reader.settle();
    requestCatchUp();
    return true;
  }

  /** {@return R20: the highest slot whose block was dropped after a snapshot; 0 if none} */
  public long compactedSlot() {
    return log.compactedSlot();
  }

  /** {@return R20: the slot of the newest durable snapshot this node holds or installed} */
  public long snapshotSlot() {
    return snapshotSlot;
  }

  /** Broadcasts a request for chosen blocks this node lacks (R11); useful after a restart. */
  public void requestCatchUp() {
    for (int m : others) {
      requestCatchUp(m);
    }
  }

  /**
   * R14: tells the proposer which members cannot answer now (cut off or down, as the caller
   * knows). Once a majority promised, a prepare waits for every other member, up to {@code
   * promiseWaitTicks}. Replaces the previous set; safety never depends on it.
   *
   * @param members the member ids that cannot answer now
   */
  public void setUnreachable(Set<Integer> members) {
    unreachable = Set.copyOf(members);
  }

  Set<Integer> unreachable() {
    return unreachable;
  }

  /**
   * R14: whether a message from {@code member} arrived within the last {@code ticks} ticks, or
   * {@code member} is this node.
   */
  boolean heardWithin(int member, long ticks) {
    Long at = lastHeard.get(member);
    return member == self || (at != null && now - at <= ticks);
  }

  /** Advances logical time by one tick: timeouts, back-off and forwarding run here. */
  public void tick() {
    now++;
    if (gate != null) {
      gate.onTick(now);
    }
    learnerDuties();
    if (ownFence != null && now - ownFenceSentTick >= config.roundTimeoutTicks()) {
      ownFenceSentTick = now;
      if (log.isChosen(ownFenceEntry.id())) {
        ownFence = null; // chosen in a slot an installed snapshot covers (R20): applied with it
      } else {
        proposer.poolControl(ownFenceEntry); // until it is applied (R15)
      }
    }
    proposer.onTick();
    reader.onTick();
    // R15: chosen blocks written without a sync become durable within a round timeout, unless a
    // vote, promise or append syncs them first (under load, always): a flush per tick would add
    // a device flush per commit on a disk every node may share.
    unsyncedTicks = log.awaitsSync() ? unsyncedTicks + 1 : 0;
    if (unsyncedTicks >= config.roundTimeoutTicks()) {
      out.flush = true;
      unsyncedTicks = 0;
    }
  }

  /**
   * R2: delivers one message with the stamp it travelled with. A message of another cluster (its
   * fingerprint is not this node's) changes nothing and is counted in {@link #rejectedForeign()};
   * otherwise it is stepped as {@link #step(Message)} does. Returns false for a foreign message.
   *
   * @param stamp the sender's stamp
   * @param m the message
   * @return false if the message was dropped as foreign
   */
  public boolean step(Stamp stamp, Message m) {
    if (!admits(stamp, m)) {
      return false;
    }
    step(m);
    return true;
  }

  /**
   * R2: checks a stamp without stepping the message, for messages the runtime handles itself
   * (snapshot transfer). False, and counted, if the stamp is of another cluster. A member whose
   * epoch is higher than this node's knows of membership changes this node has not applied yet:
   * this node asks it for the blocks it lacks (R11), at most once per round timeout per member
   * (liveness only), and the message is admitted as usual.
   *
   * @param stamp the sender's stamp
   * @param m the message it came with
   * @return true if the message may be acted on
   */
  public boolean admits(Stamp stamp, Message m) {
    if (stamp.cluster() != fingerprint) {
      rejectedForeign++;
      return false;
    }
    if (stamp.epoch() > membership.epoch() && m.to() == self && m.from() != self
        && membership.contains(m.from())) {
      Long asked = behindAskedAt.get(m.from());
      if (asked == null || now - asked >= config.roundTimeoutTicks()) {
        behindAskedAt.put(m.from(), now);
        requestCatchUp(m.from());
      }
    }
    return true;
  }

  /**
   * Delivers one message whose stamp is this cluster's, for tests and callers that check stamps
   * themselves ({@link #step(Stamp, Message)}). Messages not addressed to this node or from
   * non-members are ignored.
   *
   * @param m the message
   */
  public void step(Message m) {
    if (m.to() != self) {
      return;
    }
    if (!configs.knows(m.from())) {
      if (membership.retiredGeneration(m.from()) == 0) {
        return; // R2: not a member of any configuration kept
      }
      // R21: a removed member still hands over the entries it acknowledged, and one that does
      // not know it was removed yet (it campaigns) is told the blocks that removed it.
      if (m instanceof Prepare p) {
        sendCatchUp(p.from(), p.committedSlot() + 1);
      } else if (m instanceof Forward || m instanceof CatchUpRequest) {
        stepKnown(m);
      }
      return;
    }
    stepKnown(m);
  }

  private void stepKnown(Message m) {
    lastHeard.put(m.from(), now);
    if (m instanceof Prepare p) {
      reply(acceptor.onPrepare(p));
    } else if (m instanceof Promise p && p.ballot().equals(Ballot.ZERO)) {
      if (gate != null) {
        gate.onProbeAnswer(p.from(), p.ballot(), p.committedSlot());
      }
    } else if (m instanceof Reject r && r.ballot().equals(Ballot.ZERO)) {
      if (gate != null) {
        gate.onProbeAnswer(r.from(), r.promised(), r.committedSlot());
      }
    } else if (m instanceof Promise p) {
      proposer.onPromise(p);
    } else if (m instanceof Accept a) {
      reply(acceptor.onAccept(a));
    } else if (m instanceof Accepted a) {
      proposer.onAccepted(a);
    } else if (m instanceof Reject r) {
      proposer.onReject(r);
    } else if (m instanceof Commit c) {
      commit(c.slot(), c.block(), c.from());
    } else if (m instanceof CatchUpRequest r) {
      progress.merge(r.from(), r.fromSlot() - 1, Math::max);
      sendCatchUp(r.from(), r.fromSlot());
    } else if (m instanceof CatchUp c) {
      onCatchUp(c);
    } else if (m instanceof Forward f) {
      proposer.onForward(f);
    } else if (m instanceof ReadIndexRequest r) {
      reply(reader.onRequest(r));
    } else if (m instanceof ReadIndex r) {
      reader.onReadIndex(r);
    } else if (m instanceof Message.Campaign c && isVoting()
        && membership.isVoter(c.from())) {
      proposer.campaign(); // R21: leadership transfer
    }
  }

  /** {@return the effects accumulated since the last call, drained} */
  public Ready ready() {
    proposer.flushProposals();
    proposer.flushForwards();
    reader.flush();
    reserveIds();
    log.drainRemovals(out.willSync(), rules.removalWaitsForSync());
    return out.drain(rules);
  }

  /**
   * R15, reserved ids: own entries appended in a batch may leave in its early ACCEPTs only if a
   * synced id floor covers their seqs; a crash before the batch's sync then makes the next start
   * skip and fence them instead of handing their ids out again. A batch that would send own new
   * entries and finds fewer than half a reserve left writes the next floor, from its lowest
   * appended seq (so the floor as last written covers every entry any unsynced batch may send)
   * to {@link #ID_RESERVE} ids past the next seq. The previous batch has been carried out, sync
   * included, whenever this runs (one batch at a time), so a floor it wrote is durable now.
   */
  private void reserveIds() {
    if (floorWritten != null) {
      reservedUntil = floorWritten.until();
      floorWritten = null;
    }
    if (idFloors && !out.appended.isEmpty() && ownFence == null && isVoting()
        && log.nextSeq() + ID_RESERVE / 2 > reservedUntil && carriesAccept(out.messages)) {
      int g = identity.generation();
      long until = Math.min(log.nextSeq() + ID_RESERVE, EntryId.firstSeq(g + 1));
      floorWritten = new dev.modpaxos.spi.IdFloor(out.appendedSeqMin(), until);
      out.idFloor = floorWritten;
    }
    out.idsReservedUntil = reservedUntil;
  }

  /** R15: how many entry ids one id floor reserves ahead. */
  static final long ID_RESERVE = 4096;

  private static boolean carriesAccept(List<Message> messages) {
    for (Message m : messages) {
      if (m instanceof Accept) {
        return true;
      }
    }
    return false;
  }

  // ---- reads --------------------------------------------------------------------------------

  /**
   * {@return R2: what this node stamps on every message it sends now: its cluster fingerprint and
   * its current membership epoch}
   */
  public Stamp stamp() {
    return new Stamp(fingerprint, membership.epoch());
  }

  /** {@return R2: messages of another cluster dropped by {@link #step(Stamp, Message)}} */
  public long rejectedForeign() {
    return rejectedForeign;
  }

  /** {@return this replica's member id} */
  public int nodeId() {
    return self;
  }

  /** {@return the configuration} */
  public ReplicaConfig config() {
    return config;
  }

  /** {@return the logical time: ticks so far} */
  public long now() {
    return now;
  }

  /** {@return the last committed slot: every slot up to it is chosen here} */
  public long committedSlot() {
    return log.committedSlot();
  }

  /**
   * The block chosen for {@code slot}; {@code compactedSlot() < slot <= committedSlot()}.
   *
   * @param slot the slot
   * @return the block
   */
  public Block chosen(long slot) {
    if (slot <= log.compactedSlot() || slot > log.committedSlot()) {
      throw new IllegalArgumentException(
          "slot " + slot + " is not held (compacted through " + log.compactedSlot()
              + ", committed " + log.committedSlot() + ")");
    }
    return log.block(slot);
  }

  /**
   * Up to {@code max} chosen blocks from {@code fromSlot} on.
   *
   * @param fromSlot the first slot wanted
   * @param max the most blocks returned
   * @return the blocks, in slot order
   */
  public List<Block> chosenBlocks(long fromSlot, int max) {
    return log.blocks(fromSlot, max);
  }

  /** {@return how many entries were chosen in every block so far} */
  public long chosenEntries() {
    return log.chosenEntries();
  }

  /** {@return this node's local log: its own entries not yet chosen, in submit order} */
  public List<Entry> localLog() {
    return List.copyOf(log.localLog());
  }

  /** {@return reads started and not yet served or failed (R19)} */
  public int readsPending() {
    return reader.pending();
  }

  /** {@return the number of entries in the local log} */
  public int localLogSize() {
    return log.localLogSize();
  }

  /** {@return the highest ballot promised} */
  public Ballot promised() {
    return acceptor.promised();
  }

  /** {@return the vote of the highest slot voted, or null} */
  public Proposal accepted() {
    return acceptor.accepted();
  }

  /**
   * True while this node holds a ballot promised by a majority (the stable leader, R13).
   *
   * @return true while it is the stable leader
   */
  public boolean isLeader() {
    return proposer.isLeader();
  }

  /**
   * The node this one believes leads (owner of its promised ballot), or 0 if none or itself.
   *
   * @return the leader's id, or 0
   */
  public int leaderHint() {
    int owner = acceptor.promised().nodeId();
    return owner == self ? 0 : owner;
  }

  /**
   * True while this node votes, proposes and accepts submits: its store identity is admitted and
   * is the member's current generation (R16, R17). A non-voting node is a learner.
   *
   * @return true while this node votes
   */
  public boolean isVoting() {
    return !identity.isPending() && inSomeConfig && (gate == null || gate.open());
  }

  // R21: this incarnation is a current voter of the latest configuration or of one that governs
  // a slot in the window (a removed voter keeps voting until its removal is in force). Refreshed
  // whenever the committed slot, the configuration or the identity changes.
  private boolean inSomeConfig;

  private void refreshVoting() {
    int g = identity.generation();
    long c = log.committedSlot();
    // A replaced generation stops at once (its store is stale, R17); a removed voter votes on
    // until its removal is in force, since those slots' majorities may need it.
    inSomeConfig = membership.isCurrent(self, g)
        || (!membership.contains(self)
            && Configs.countsIn(configs.governing(c + 1, c + ReplicaConfig.PIPELINE_SLOTS_LIMIT),
                self, g));
  }

  /**
   * Why this node takes no submit now, in one line; null if it takes them: it does not vote
   * (R16), or it is fencing the ids a crash may have left in flight (R15).
   *
   * @return the reason, or null
   */
  public String submitRefusal() {
    String notVoting = notVotingReason();
    if (notVoting != null) {
      return notVoting + "; it accepts no submits";
    }
    if (ownFence != null) {
      return "node " + self + " restarted after a crash and is fencing the entry ids it may have"
          + " sent before they were synced (R15); it takes submits again once that is chosen";
    }
    return null;
  }

  /**
   * Why this node does not vote, in one line for logs and status; null while it votes (R16).
   *
   * @return the reason, or null
   */
  public String notVotingReason() {
    if (isVoting()) {
      return null;
    }
    int current = membership.generationOf(self);
    if (gate != null) {
      return "node " + self + " abstains after lost state until its probe and catch-up are done";
    } else if (wasRemoved()) {
      return "node " + self + " generation " + identity.generation()
          + " was removed from the cluster; it no longer votes or proposes (R21)";
    } else if (current == 0 && identity.isPending() && !config.members().contains(self)) {
      return "node " + self + " is joining: it waits to be added as a learner (addLearner or"
          + " addMember on a member) and to catch up (R21)";
    } else if (current == 0) {
      return "node " + self + " is not a member of " + membership.members();
    } else if (membership.isLearner(self) && identity.isPending() && membership.isUnbound(self)) {
      return "node " + self + " is an added learner; it asks to join as generation "
          + (current + 1) + " (R21)";
    } else if (membership.isLearner(self) && !identity.isPending()
        && identity.generation() == current) {
      return "node " + self + " is a learner: it learns every slot but does not vote until it is"
          + " promoted (R21)";
    } else if (identity.isPending()) {
      return "node " + self + " is a non-voting learner because " + lostReason
          + "; it awaits re-admission under a new generation (R16, R17)";
    } else if (current > identity.generation()) {
      return "node " + self + " generation " + identity.generation() + " was replaced by"
          + " generation " + current + "; this store is stale";
    }
    return "node " + self + " generation " + identity.generation()
        + " waits to learn the slot that admitted it (committed " + committedSlot() + ")";
  }

  /**
   * This node's member generation, or {@code StoreIdentity.PENDING} (0) while it awaits one.
   *
   * @return the generation
   */
  public int generation() {
    return identity.generation();
  }

  /** {@return the identity this incarnation runs as (R16)} */
  public StoreIdentity identity() {
    return identity;
  }

  /**
   * The current generation of member {@code id}, 0 if it is not a member (R17).
   *
   * @param id the member id
   * @return its generation, or 0
   */
  public int generationOf(int id) {
    return membership.generationOf(id);
  }

  /** True if this incarnation's member id was removed at this incarnation's generation (R21). */
  private boolean wasRemoved() {
    return !identity.isPending() && !membership.contains(self)
        && membership.retiredGeneration(self) >= identity.generation();
  }

  /**
   * True if this node votes and its votes count for the next slot: the configuration that
   * governs it (R21) names this node at its generation as a voter. Right after this node was
   * re-admitted or promoted, it votes but its votes count only {@code L} slots later.
   *
   * @return whether this node's votes count now
   */
  public boolean votesCountNow() {
    return isVoting() && configs.governing(log.committedSlot() + 1).isCurrent(self,
        identity.generation());
  }

  /** {@return the epoch of the configuration as of the committed slot (R21)} */
  public long membershipEpoch() {
    return membership.epoch();
  }

  /** {@return the configuration as of the committed slot (R21), as a value} */
  public Configuration configuration() {
    return Configuration.of(membership, configs.governing(log.committedSlot() + 1));
  }

  /**
   * The highest slot node {@code id} is known to have committed: this node's own committed
   * slot, or what {@code id}'s last catch-up request said; -1 if unknown.
   *
   * @param id the node id
   * @return its committed slot as known here, or -1
   */
  public long knownCommitted(int id) {
    return id == self ? log.committedSlot() : progress.getOrDefault(id, -1L);
  }

  /**
   * R21: asks the cluster to change its configuration, adding {@code member} as a learner,
   * promoting that learner or removing the member. The request is pooled here and forwarded to
   * the stable leader if there is one; it takes effect in the slot it is chosen in, if it still
   * applies then, and governs quorums {@code L} slots later. Throws {@link
   * IllegalStateException} with the reason if it does not apply to the configuration as of the
   * committed slot, would leave a configuration whose majority cannot be reached now (the members
   * {@link #setUnreachable} reported), or if a change requested here is still pending; and if
   * this node does not vote.
   *
   * @param op what to change
   * @param member the node id it changes
   * @param request tells requests apart: a random number per request
   * @return the control entry that carries it; its id identifies the request
   */
  public Entry requestReconfig(ReconfigOp op, int member, long request) {
    ReconfigOp kind = java.util.Objects.requireNonNull(op, "op");
    if (!isVoting()) {
      throw new IllegalStateException(notVotingReason());
    }
    int generation = kind == ReconfigOp.ADD_LEARNER
        ? membership.retiredGeneration(member) + 1 : Math.max(1, membership.generationOf(member));
    Reconfig c = new Reconfig(kind, member, generation, request);
    String refused = membership.refusal(c);
    if (refused != null) {
      throw new IllegalStateException(refused);
    }
    if (proposer.hasPendingReconfig()) {
      throw new IllegalStateException(
          "a membership change requested on node " + self + " is still pending");
    }
    Membership after = membership.copy();
    after.apply(c);
    int reachable = 0;
    for (int v : after.voters()) {
      reachable += unreachable.contains(v) ? 0 : 1;
    }
    if (reachable < after.majority()) {
      throw new IllegalStateException("unsafe: the voters " + after.voters() + " would need "
          + after.majority() + " of them, but only " + reachable + " are reachable now");
    }
    Entry e = c.toEntry();
    proposer.proposeControl(e);
    return e;
  }

  /**
   * R21: asks {@code to}, a current voter, to run a full PREPARE now, so that it becomes the
   * stable leader; this node stops starting new slots until it sees a higher ballot or one
   * round timeout passes. Throws {@link IllegalStateException} with the reason if {@code to} is
   * not a current voter or this node does not vote.
   *
   * @param to the voter that should lead
   */
  public void transferLeadership(int to) {
    if (!isVoting()) {
      throw new IllegalStateException(notVotingReason());
    }
    if (!membership.isVoter(to) || membership.isUnbound(to)) {
      throw new IllegalStateException("node " + to + " is not a voter of "
          + membership.voters());
    }
    if (to == self) {
      proposer.campaign();
      return;
    }
    proposer.pauseFor(config.roundTimeoutTicks());
    out.messages.add(new Message.Campaign(self, to));
  }

  // ---- package-private plumbing for the roles ------------------------------------------------

  int self() {
    return self;
  }

  Effects out() {
    return out;
  }

  ChosenLog log() {
    return log;
  }

  Acceptor acceptor() {
    return acceptor;
  }

  Proposer proposer() {
    return proposer;
  }

  Membership membership() {
    return membership;
  }

  Configs configs() {
    return configs;
  }

  Rules.LostStateGate gate() {
    return gate;
  }

  /**
   * R17: true if {@code e} may not be chosen now: an entry of another generation of its origin
   * than the current one, or a re-admission request that is stale (or not well-formed).
   */
  boolean isFenced(Entry e) {
    if (e.id().isControl()) {
      IdFence f = IdFence.of(e);
      if (f != null) {
        return membership.generationOf(f.member()) != f.generation(); // stale: changes nothing
      }
      Readmission r = Readmission.of(e);
      if (r != null) {
        return membership.generationOf(r.member()) != r.replaces(); // stale
      }
      Reconfig c = Reconfig.of(e);
      return c == null || membership.refusal(c) != null; // R21: stale, unsafe or junk
    }
    // An older generation's entry is fenced for good; a later one's until that generation is
    // admitted (a crash may leave re-logged copies in a learner's store, R17). A removed
    // member's entries of its last generation stay eligible: they were acknowledged (R21).
    int g = e.id().generation();
    return g != membership.generationOf(e.origin())
        && (membership.contains(e.origin()) || g != membership.retiredGeneration(e.origin()));
  }

  SplittableRandom random() {
    return random;
  }

  /** Sends {@code m}; a message to this node itself is delivered at once, without the network. */
  void send(Message m) {
    if (m.to() == self) {
      step(m);
    } else {
      out.messages.add(m);
    }
  }

  /** Sends one message to every member, this node last. */
  void broadcast(IntFunction<Message> messageTo) {
    broadcastOthers(messageTo);
    send(messageTo.apply(self));
  }

  void broadcastOthers(IntFunction<Message> messageTo) {
    for (int m : others) {
      out.messages.add(messageTo.apply(m));
    }
  }

  private void reply(Message m) {
    if (m != null) {
      send(m);
    }
  }

  /** R9: learns that {@code block} is chosen for {@code slot}; {@code from} told us so. */
  void commit(long slot, Block block, int from) {
    List<ChosenLog.Decided> done = log.commit(slot, block, admission);
    if (done.isEmpty() && slot > log.committedSlot() + 1 && from != self) {
      requestCatchUp(from); // a gap: fetch what we missed (R11)
    }
    if (done.isEmpty()) {
      return;
    }
    acceptor.onCommitted(log.committedSlot());
    if (configs.trim(log.committedSlot())) {
      indexOthers();
    }
    refreshVoting();
    for (ChosenLog.Decided d : done) {
      boolean own = false;
      for (Entry e : d.admitted().block().entries()) {
        own |= e.origin() == self;
      }
      proposer.onChosen(d.admitted(), d.chosen(), own);
    }
    if (gate != null) {
      gate.onCommitted(log.committedSlot());
    }
    reader.settle();
  }

  /** R17, R18: admits each committed slot's entries under the membership as of the slot before. */
  private final ChosenLog.Admission admission =
      new ChosenLog.Admission() {
        @Override
        public boolean fenced(Entry e) {
          return isFenced(e);
        }

        @Override
        public boolean admits(boolean alreadyChosen, boolean fenced) {
          return rules.admits(alreadyChosen, fenced);
        }

        @Override
        public boolean waitsForGaps() {
          return rules.waitsForGaps();
        }

        @Override
        public void committed(SlotBlock admitted) {
          if (admitted.block().hasControl()) {
            applyControl(admitted);
          }
        }
      };

  /**
   * R17, R21: applies the membership changes chosen in {@code sb}, in block order. A
   * re-admission moves the member named to its next generation; if it is this incarnation (its
   * nonce), this node adopts that generation, logs its surviving older entries again, and votes
   * as a fresh acceptor (its votes count from the slots that configuration governs). A
   * reconfiguration adds a learner, promotes one or removes a member. The configuration as of
   * {@code sb.slot()} governs the slots from {@code sb.slot() + L} on (R21).
   */
  private void applyControl(SlotBlock sb) {
    boolean changed = false;
    for (Entry e : sb.block().entries()) {
      Reconfig c = Reconfig.of(e);
      if (c != null) {
        changed |= membership.apply(c);
        continue;
      }
      IdFence f = IdFence.of(e);
      if (f != null) {
        log.fence(f); // R15: the ids it takes are never admitted from the next slot on
        if (ownFence != null && f.member() == self && f.generation() == ownFence.generation()
            && f.from() <= ownFence.from() && f.until() >= ownFence.until()) {
          ownFence = null; // every entry of the range that could still be chosen is applied
        }
        continue;
      }
      Readmission r = Readmission.of(e);
      int g = r == null ? 0 : membership.readmit(r.member(), r.replaces());
      if (g == 0) {
        continue;
      }
      changed = true;
      boolean mine = r.member() == self && r.nonce() == identity.nonce();
      // Also when a crash kept the new identity but lost this block: the rest is redone (R15).
      if (mine && (identity.isPending() || identity.generation() == g)) {
        if (identity.isPending()) {
          identity = new StoreIdentity(config.clusterId(), self, g, identity.nonce());
          out.identity = identity;
          acceptor.startFresh();
        }
        lostReason = null;
        log.relogOlderGenerations(g); // idempotent: nothing to do on a plain restart
      }
    }
    if (changed) {
      configs.changed(sb.slot());
      indexOthers();
      refreshVoting();
      proposer.onMembershipChanged();
    }
  }

  /**
   * R16/R17: a node that does not vote keeps asking for the blocks it lacks, and one that awaits
   * re-admission keeps sending its request (a control entry) and its surviving local log, every
   * round timeout, to the next member in turn, until it is admitted.
   */
  private void learnerDuties() {
    if (isVoting() || gate != null || now - lastLearnerDutyTick < config.roundTimeoutTicks()) {
      return;
    }
    lastLearnerDutyTick = now;
    if (!membership.contains(self) && membership.retiredGeneration(self) > 0) {
      forwardAcknowledged(); // R21: removed; its acknowledged entries may still be chosen
      return;
    }
    requestCatchUp();
    if (!identity.isPending() || membership.generationOf(self) == 0) {
      return;
    }
    List<Entry> entries = new ArrayList<>();
    entries.add(new Readmission(self, identity.nonce(), membership.generationOf(self)).toEntry());
    Budget budget = Budget.forBlock(config);
    budget.take(entries.get(0));
    for (Entry e : log.localLog()) {
      if (isFenced(e)) {
        continue;
      }
      if (!budget.take(e)) {
        break;
      }
      entries.add(e);
    }
    List<Integer> voters = new ArrayList<>(membership.voters());
    voters.remove(Integer.valueOf(self));
    if (!voters.isEmpty()) {
      // One member at a time, in turn: every member campaigning for it at once would duel.
      int to = voters.get((int) (readmissionRequests++ % voters.size()));
      out.messages.add(new Forward(self, to, entries));
    }
  }

  /** R21: a removed node hands its acknowledged entries to the next voter in turn. */
  private void forwardAcknowledged() {
    List<Integer> voters = membership.voters();
    if (log.localLogSize() == 0 || voters.isEmpty()) {
      return;
    }
    requestCatchUp(voters.get((int) (readmissionRequests % voters.size())));
    List<Entry> entries = new ArrayList<>();
    Budget budget = Budget.forBlock(config);
    for (Entry e : log.localLog()) {
      if (!isFenced(e) && budget.take(e)) {
        entries.add(e);
      }
    }
    if (!entries.isEmpty()) {
      out.messages.add(new Forward(self, voters.get((int) (readmissionRequests++ % voters.size())),
          entries));
    }
  }

  void requestCatchUp(int from) {
    if (from != self) {
      out.messages.add(new CatchUpRequest(self, from, log.committedSlot() + 1));
    }
  }

  /**
   * R11/R12: sends {@code to} the chosen blocks from {@code fromSlot} on, if we have any; R20: if
   * they are compacted, offers the snapshot instead.
   */
  void sendCatchUp(int to, long fromSlot) {
    if (fromSlot <= log.compactedSlot() && to != self) {
      out.messages.add(new Message.SnapshotOffer(self, to, snapshotSlot));
      return;
    }
    List<Block> blocks = log.blocks(fromSlot, config.catchUpBlocksMax(), catchUpBytesMax());
    if (!blocks.isEmpty() && to != self) {
      out.messages.add(new CatchUp(self, to, fromSlot, blocks));
    }
  }

  private void onCatchUp(CatchUp c) {
    long before = committedSlot();
    long slot = c.firstSlot();
    for (Block b : c.blocks()) {
      commit(slot++, b, self);
    }
    long bytes = 0;
    for (Block b : c.blocks()) {
      bytes += Budget.sizeOf(b);
    }
    boolean capped =
        c.blocks().size() >= config.catchUpBlocksMax()
            || bytes > catchUpBytesMax() - config.blockBytesMax();
    if (capped && committedSlot() >= slot - 1 && committedSlot() > before) {
      // The sender stopped at its cap: there may be more. A reply that taught us nothing (a
      // duplicate, or an answer to a request another reply already served) asks for nothing, so
      // request chains cannot multiply.
      requestCatchUp(c.from());
    }
  }

  /** One CATCHUP carries about this many bytes at most: four blocks' worth. */
  private long catchUpBytesMax() {
    return 4L * config.blockBytesMax();
  }

  void checkInvariants() {
    log.checkInvariants();
    acceptor.checkInvariants();
    proposer.checkInvariants();
  }
}
