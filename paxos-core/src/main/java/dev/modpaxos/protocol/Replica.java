package dev.modpaxos.protocol;

import dev.modpaxos.protocol.Message.Accept;
import dev.modpaxos.protocol.Message.Accepted;
import dev.modpaxos.protocol.Message.CatchUp;
import dev.modpaxos.protocol.Message.CatchUpRequest;
import dev.modpaxos.protocol.Message.Commit;
import dev.modpaxos.protocol.Message.Forward;
import dev.modpaxos.protocol.Message.Prepare;
import dev.modpaxos.protocol.Message.Promise;
import dev.modpaxos.protocol.Message.Reject;
import dev.modpaxos.spi.StoredState;
import java.util.List;
import java.util.Objects;
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
  // Invariant: increases by one per tick(); the only notion of time in the core.
  private long now;

  /**
   * Boots a founding member from what its store read back (an empty store is initialised as
   * generation 1), with a nonce derived from the config's seed. For tests and simulations of a
   * new cluster; a runtime uses {@link #Replica(ReplicaConfig, StoredState, Boot)}.
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
   */
  public Replica(ReplicaConfig config, StoredState state, Boot boot) {
    this(config, state, boot, Rules.PAXOS);
  }

  Replica(ReplicaConfig config, StoredState state, Boot boot, Rules rules) {
    this.config = Objects.requireNonNull(config, "config");
    this.self = config.nodeId();
    this.random = new SplittableRandom(config.seed());
    this.log = new ChosenLog(self, out, state.chosen(), state.localLog());
    this.acceptor =
        new Acceptor(this, rules, state.promised(), state.accepted(), false);
    this.proposer = new Proposer(this, rules);
  }

  // ---- inputs -------------------------------------------------------------------------------

  /** R4: appends {@code payload} to the local log; no message is sent. Returns the entry's id. */
  public EntryId submit(byte[] payload) {
    Entry e = log.append(payload);
    proposer.onSubmitted();
    return e.id();
  }

  /**
   * R14: starts a full round (PREPARE first) that collects the local logs of every node that
   * answers and commits them. Returns a ticket reported in {@link Ready#roundsDone()} or {@link
   * Ready#roundsFailed()}.
   */
  public long runRound() {
    return proposer.requestRound();
  }

  /** Broadcasts a request for chosen blocks this node lacks (R11); useful after a restart. */
  public void requestCatchUp() {
    for (int m : config.members()) {
      if (m != self) {
        requestCatchUp(m);
      }
    }
  }

  /** Advances logical time by one tick: timeouts, back-off and forwarding run here. */
  public void tick() {
    now++;
    acceptor.onTick(now);
    proposer.onTick();
  }

  /** Delivers one message. Messages not addressed to this node or from non-members are ignored. */
  public void step(Message m) {
    if (m.to() != self || !config.members().contains(m.from())) {
      return;
    }
    if (m instanceof Prepare p) {
      reply(acceptor.onPrepare(p));
    } else if (m instanceof Promise p && p.ballot().equals(Ballot.ZERO)) {
      acceptor.onProbeAnswer(p.from(), p.ballot(), p.committedSlot()); // R16
    } else if (m instanceof Reject r && r.ballot().equals(Ballot.ZERO)) {
      acceptor.onProbeAnswer(r.from(), r.promised(), r.committedSlot()); // R16
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
      sendCatchUp(r.from(), r.fromSlot());
    } else if (m instanceof CatchUp c) {
      onCatchUp(c);
    } else if (m instanceof Forward f) {
      proposer.onForward(f);
    }
  }

  /** Drains the effects accumulated since the last call. */
  public Ready ready() {
    proposer.flushForwards();
    return out.drain();
  }

  // ---- reads --------------------------------------------------------------------------------

  public int nodeId() {
    return self;
  }

  public ReplicaConfig config() {
    return config;
  }

  public long now() {
    return now;
  }

  public long committedSlot() {
    return log.committedSlot();
  }

  /** The block chosen for {@code slot}; {@code 1 <= slot <= committedSlot()}. */
  public Block chosen(long slot) {
    if (slot < 1 || slot > log.committedSlot()) {
      throw new IllegalArgumentException(
          "slot " + slot + " is not committed (committed: " + log.committedSlot() + ")");
    }
    return log.block(slot);
  }

  /** Up to {@code max} chosen blocks from {@code fromSlot} on. */
  public List<Block> chosenBlocks(long fromSlot, int max) {
    return log.blocks(fromSlot, max);
  }

  public long chosenEntries() {
    return log.chosenEntries();
  }

  /** This node's local log: its own entries not yet chosen, in submit order. */
  public List<Entry> localLog() {
    return List.copyOf(log.localLog());
  }

  public int localLogSize() {
    return log.localLogSize();
  }

  public Ballot promised() {
    return acceptor.promised();
  }

  public Proposal accepted() {
    return acceptor.accepted();
  }

  /** True while this node holds a ballot promised by a majority (the stable leader, R13). */
  public boolean isLeader() {
    return proposer.isLeader();
  }

  /** The node this one believes leads (owner of its promised ballot), or 0 if none or itself. */
  public int leaderHint() {
    int owner = acceptor.promised().nodeId();
    return owner == self ? 0 : owner;
  }

  /**
   * True while this node votes, proposes and accepts submits: its store identity is admitted and
   * is the member's current generation (R16, R17). A non-voting node is a learner.
   */
  public boolean isVoting() {
    return acceptor.isVoting();
  }

  /** Why this node does not vote, in one line for logs and status; null while it votes (R16). */
  public String notVotingReason() {
    return isVoting() ? null : "node " + self + " is not voting";
  }

  /** This node's member generation, or {@code StoreIdentity.PENDING} (0) while it awaits one. */
  public int generation() {
    return 1;
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
    for (int m : config.members()) {
      if (m != self) {
        out.messages.add(messageTo.apply(m));
      }
    }
  }

  private void reply(Message m) {
    if (m != null) {
      send(m);
    }
  }

  /** R9: learns that {@code block} is chosen for {@code slot}; {@code from} told us so. */
  void commit(long slot, Block block, int from) {
    List<SlotBlock> done = log.commit(slot, block);
    if (done.isEmpty() && slot > log.committedSlot() + 1 && from != self) {
      requestCatchUp(from); // a gap: fetch what we missed (R11)
    }
    for (SlotBlock sb : done) {
      boolean own = false;
      for (Entry e : sb.block().entries()) {
        own |= e.origin() == self;
      }
      proposer.onChosen(sb, own);
    }
    if (!done.isEmpty()) {
      acceptor.onCommitted(log.committedSlot());
    }
  }

  void requestCatchUp(int from) {
    if (from != self) {
      out.messages.add(new CatchUpRequest(self, from, log.committedSlot() + 1));
    }
  }

  /** R11/R12: sends {@code to} the chosen blocks from {@code fromSlot} on, if we have any. */
  void sendCatchUp(int to, long fromSlot) {
    List<Block> blocks = log.blocks(fromSlot, config.catchUpBlocksMax(), catchUpBytesMax());
    if (!blocks.isEmpty() && to != self) {
      out.messages.add(new CatchUp(self, to, fromSlot, blocks));
    }
  }

  private void onCatchUp(CatchUp c) {
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
    if (capped && committedSlot() >= slot - 1) {
      requestCatchUp(c.from()); // the sender stopped at its cap: there may be more
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
