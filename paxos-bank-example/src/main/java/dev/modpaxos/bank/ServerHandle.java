package dev.modpaxos.bank;

import java.util.List;

/**
 * The driver's handle on one bank server: the server itself in single-JVM mode ({@link
 * BankServer}), or a gRPC stub in multi-process mode. Calls on one handle are made one at a time.
 */
public interface ServerHandle extends AutoCloseable {

  int id();

  /**
   * Hands this server a transfer of its own client: executed if fundable (after one round if
   * needed), otherwise queued as pending. Re-sending a transfer with the same id never executes it
   * twice. Returns {@link TransferResult.Status#UNDELIVERED} when the server is down.
   */
  TransferResult transfer(Transfer t);

  /**
   * Retries the pending queue in FIFO order, running one round first if the head is short and
   * {@code allowRound}. Returns the ids executed now and the rounds run.
   */
  RetryResult retryPending(boolean allowRound);

  /** Cuts the server off the network (false) or reconnects it and asks for catch-up (true). */
  void setConnected(boolean connected);

  /** Stops the node; its store keeps everything durable. Idempotent. */
  void crash();

  /** Restarts the node from its store; then it catches up. Idempotent while up. */
  void recover();

  boolean isUp();

  /**
   * Up or not, its applied slot, its local log's size and which start of the server this is, in
   * one call. A new {@code incarnation} means the server was restarted: its pending queue is gone.
   */
  ServerStatus status();

  /**
   * Tells the server which peers cannot answer now (cut off by the live list, or down), so that a
   * round waits for every other peer's promise (R14) and no longer than needed.
   */
  void setUnreachable(java.util.Set<Integer> peers);

  /** The last slot applied to this server's bank, or -1 if it is down or unreachable. */
  long appliedSlot();

  /**
   * Asks peers for missing blocks (at least once) and waits until {@code slot} is applied; false
   * on timeout.
   */
  boolean catchUpTo(long slot, long timeoutMillis);

  ServerView view();

  /**
   * What the web view watches, without waiting for the server's work (a running round): its
   * promised ballot, whether it leads, and up to {@code max} messages delivered to it after
   * {@code afterSeq}. Safe to call from another thread than the driver's.
   */
  default Watch watch(long afterSeq, int max) {
    return Watch.NONE;
  }

  /**
   * This server's standing in the configuration (R21), for ReplaceServer: whether it votes,
   * whether its node started as a new incarnation (a wiped or damaged store, {@code --rejoin}),
   * and its generation as it knows it. {@link MemberStatus#DOWN} when down or unreachable.
   */
  default MemberStatus memberStatus() {
    return MemberStatus.DOWN;
  }

  /**
   * Asks this server's node to re-admit {@code member} under a new generation ({@code
   * PaxosNode.replaceMember}, R17) and waits for the outcome: done once the member's generation
   * is above {@code aboveGeneration}. Changes nothing if it is refused.
   */
  default ReplaceResult replaceMember(int member, int aboveGeneration) {
    return new ReplaceResult(false, 0, Servers.name(id()) + " cannot re-admit members");
  }

  @Override
  void close();

  /**
   * @param up whether the node runs
   * @param voting whether it votes (R16, R21)
   * @param newIncarnation whether this start of its node was a new incarnation of the member
   * @param generation its own generation in the configuration it knows (0 if none yet)
   * @param notVotingReason why it does not vote, or "" while it votes
   */
  record MemberStatus(boolean up, boolean voting, boolean newIncarnation, int generation,
      String notVotingReason) {
    public static final MemberStatus DOWN = new MemberStatus(false, false, false, 0, "down");
  }

  /**
   * @param ok whether the member was re-admitted
   * @param generation its generation now (when ok)
   * @param reason why not, in one line (when not ok)
   */
  record ReplaceResult(boolean ok, int generation, String reason) {}

  /**
   * @param promised the ballot its acceptor promised, as {@link MessageLog#ballot} writes it
   * @param leader whether it holds a ballot a majority promised (R13)
   * @param messages delivered to it, oldest first
   */
  record Watch(String promised, boolean leader, List<MessageLog.Event> messages) {
    public static final Watch NONE = new Watch("-", false, List.of());
  }

  /**
   * @param up whether the node runs
   * @param appliedSlot its last applied slot, or -1 when down
   * @param localLogSize how many of its executed transfers are not chosen yet
   * @param incarnation changes at every start of the node (and of its process); 0 when down
   */
  record ServerStatus(boolean up, long appliedSlot, int localLogSize, long incarnation) {
    public static final ServerStatus DOWN = new ServerStatus(false, -1, 0, 0);
  }

  /** Transfers that left the pending queue, and the rounds run to fund them. */
  record RetryResult(List<Long> executedIds, int roundsRun) {
    public static final RetryResult NONE = new RetryResult(List.of(), 0);
  }
}
