package dev.modpaxos.runtime;

import dev.modpaxos.protocol.ReconfigOp;
import dev.modpaxos.protocol.Configuration;
import dev.modpaxos.protocol.Replica;
import dev.modpaxos.protocol.ReplicaConfig;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * R21: the membership operations of one {@link PaxosNode} while they wait to take effect.
 * Loop-confined. Each waits for a condition on the configuration as of the committed slot; it
 * fails with the reason once the change no longer applies, or with {@link RoundFailedException}
 * after a bound (a liveness knob: the change may still take effect later, and the message says
 * so).
 */
final class MembershipOps {
  private final Replica replica;
  private final long phaseTicks;
  private final SplittableRandom random;
  private final List<Op> pending = new ArrayList<>();

  MembershipOps(Replica replica, long seed) {
    this.replica = replica;
    this.phaseTicks = PHASE_TIMEOUTS * (long) replica.config().roundTimeoutTicks();
    this.random = new SplittableRandom(seed);
  }

  /** Each phase of an operation may take this many round timeouts before it reports failure. */
  static final int PHASE_TIMEOUTS = 30;

  private abstract class Op {
    final CompletableFuture<Configuration> future;
    final String what;
    long deadline;

    Op(CompletableFuture<Configuration> future, String what) {
      this.future = future;
      this.what = what;
      this.deadline = replica.now() + phaseTicks;
    }

    /** True once done; may request the next phase. */
    abstract boolean step();
  }

  /** Requests {@code op} on {@code member} now; completes once {@code done} holds. */
  void reconfigure(ReconfigOp op, int member, CompletableFuture<Configuration> f) {
    replica.requestReconfig(op, member, random.nextLong()); // throws the reason if refused
    pending.add(new Op(f, op.label() + " " + member) {
      @Override
      boolean step() {
        Configuration c = replica.configuration();
        return switch (op) {
          case ADD_LEARNER -> c.contains(member);
          case PROMOTE -> c.voters().containsKey(member);
          case REMOVE -> !c.contains(member);
        };
      }
    });
  }

  /**
   * addMember: adds {@code member} as a learner, waits until an incarnation has joined as it and
   * has caught up to within {@code L} slots of this node, then promotes it.
   */
  void addMember(int member, CompletableFuture<Configuration> f) {
    replica.requestReconfig(ReconfigOp.ADD_LEARNER, member, random.nextLong());
    pending.add(new Op(f, "add member " + member) {
      int phase; // 0: adding, 1: joining and catching up, 2: promoting

      @Override
      boolean step() {
        Configuration c = replica.configuration();
        if (phase == 0 && c.contains(member)) {
          phase = 1;
          deadline = replica.now() + phaseTicks;
        }
        if (phase == 1 && c.learners().containsKey(member) && !c.joining().contains(member)
            && replica.knownCommitted(member)
                >= replica.committedSlot() - ReplicaConfig.PIPELINE_SLOTS_LIMIT) {
          replica.requestReconfig(ReconfigOp.PROMOTE, member, random.nextLong());
          phase = 2;
          deadline = replica.now() + phaseTicks;
        }
        return phase == 2 && c.voters().containsKey(member);
      }
    });
  }

  /** replaceMember: completes once {@code member} has a newer generation than now. */
  void replace(int member, CompletableFuture<Configuration> f) {
    int before = replica.configuration().generationOf(member);
    if (before == 0) {
      throw new IllegalStateException("node " + member + " is not a member");
    }
    pending.add(new Op(f, "replace member " + member) {
      @Override
      boolean step() {
        Configuration c = replica.configuration();
        return c.generationOf(member) > before && !c.joining().contains(member);
      }
    });
  }

  /** transferLeadership: completes once {@code to} is the leader this node knows. */
  void transfer(int to, CompletableFuture<Configuration> f) {
    replica.transferLeadership(to);
    pending.add(new Op(f, "transfer leadership to " + to) {
      @Override
      boolean step() {
        return to == replica.nodeId() ? replica.isLeader()
            : replica.leaderHint() == to && !replica.isLeader();
      }
    });
  }

  /** After each batch and tick: completes what is done, fails what timed out. */
  void check() {
    if (pending.isEmpty()) {
      return;
    }
    Iterator<Op> it = pending.iterator();
    while (it.hasNext()) {
      Op op = it.next();
      try {
        if (op.step()) {
          it.remove();
          op.future.complete(replica.configuration());
        } else if (replica.now() >= op.deadline) {
          it.remove();
          op.future.completeExceptionally(new RoundFailedException("node " + replica.nodeId()
              + ": " + op.what + " did not complete within " + phaseTicks
              + " ticks; it may still take effect: check configuration()"));
        }
      } catch (IllegalStateException | IllegalArgumentException e) {
        it.remove();
        op.future.completeExceptionally(e);
      }
    }
  }

  /** When the node stops: fails everything still waiting. */
  void failAll(RuntimeException stopped) {
    for (Op op : pending) {
      op.future.completeExceptionally(stopped);
    }
    pending.clear();
  }
}
