package dev.modpaxos.bank;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of one server, read without consensus: what the menu prints and the report holds.
 * Plain data, so it also travels as JSON between a driver and a server process.
 *
 * @param server "S1".."S5"
 * @param up false after CrashServer until RecoverServer; the other fields are then empty
 * @param connected false while the current set's live list leaves the server out
 * @param committedSlot the last chosen slot this server knows
 * @param balance its own client's balance (chosen blocks plus its local log)
 * @param balanceMap its view of every client
 * @param localLog its executed transfers not yet chosen
 * @param pending its client's transfers it could not fund yet, in FIFO order
 * @param blocks the chosen blocks it knows, slot 1 first; with compaction on
 *     ({@code --compact-every}), those after its snapshot's slot
 * @param performance its counters
 * @param snapshot its newest snapshot, which stands for the blocks up to its slot; null if none
 * @param notFinal null when its balances are final; otherwise why they are not: its node lost
 *     its state (R16) and has not caught up and been re-admitted, or it does not vote for
 *     another reason, so its ledger may lag the chosen history
 */
public record ServerView(
    String server,
    boolean up,
    boolean connected,
    long committedSlot,
    long balance,
    Map<String, Long> balanceMap,
    List<TransferView> localLog,
    List<TransferView> pending,
    List<BlockView> blocks,
    PerformanceView performance,
    SnapshotView snapshot,
    String notFinal) {

  /** A view of a server that keeps its whole history (no snapshot). */
  public ServerView(String server, boolean up, boolean connected, long committedSlot,
      long balance, Map<String, Long> balanceMap, List<TransferView> localLog,
      List<TransferView> pending, List<BlockView> blocks, PerformanceView performance) {
    this(server, up, connected, committedSlot, balance, balanceMap, localLog, pending, blocks,
        performance, null, null);
  }

  /** A view whose balances are final. */
  public ServerView(String server, boolean up, boolean connected, long committedSlot,
      long balance, Map<String, Long> balanceMap, List<TransferView> localLog,
      List<TransferView> pending, List<BlockView> blocks, PerformanceView performance,
      SnapshotView snapshot) {
    this(server, up, connected, committedSlot, balance, balanceMap, localLog, pending, blocks,
        performance, snapshot, null);
  }

  /**
   * A snapshot (docs/PROTOCOL.md R20): the state over the chosen blocks up to {@code slot}.
   *
   * @param balances every client's balance over those blocks
   * @param transfers how many transfers they hold
   */
  public record SnapshotView(long slot, Map<String, Long> balances, long transfers) {}

  /**
   * A whole view from pages: {@code page.apply(afterSlot)} reads a server's view with the chosen
   * blocks after {@code afterSlot} that fit one answer (the admin RPC's View). Pages are read
   * until the last one reaches its committed slot; each starts after the last slot of the one
   * before, so there is at most one page per slot. The fields other than the blocks are the last
   * page's, and blocks its snapshot covers (compacted between two pages) are left out.
   */
  public static ServerView paged(java.util.function.LongFunction<ServerView> page) {
    ServerView p = page.apply(0);
    List<BlockView> blocks = new java.util.ArrayList<>(p.blocks());
    while (!p.blocks().isEmpty() && lastSlot(p) < p.committedSlot()) {
      p = page.apply(lastSlot(p));
      blocks.addAll(p.blocks());
    }
    long snapshotSlot = p.snapshot() == null ? 0 : p.snapshot().slot();
    blocks.removeIf(b -> b.slot() <= snapshotSlot);
    return new ServerView(p.server(), p.up(), p.connected(), p.committedSlot(), p.balance(),
        p.balanceMap(), p.localLog(), p.pending(), blocks, p.performance(), p.snapshot(),
        p.notFinal());
  }

  private static long lastSlot(ServerView v) {
    return v.blocks().get(v.blocks().size() - 1).slot();
  }

  /** Transfers chosen up to this server's committed slot: in its snapshot and its blocks. */
  public static long chosenTransfers(ServerView v) {
    long n = v.snapshot() == null ? 0 : v.snapshot().transfers();
    for (BlockView b : v.blocks()) {
      n += b.entries().size();
    }
    return n;
  }

  /** A transfer as it is shown and reported. */
  public record TransferView(long id, String from, String to, long amount) {
    public static TransferView of(Transfer t) {
      return new TransferView(t.id(), Servers.name(t.from()), Servers.name(t.to()), t.amount());
    }

    public Transfer toTransfer() {
      return new Transfer(id, Servers.parse(from), Servers.parse(to), amount);
    }

    @Override
    public String toString() {
      return "(" + from + ", " + to + ", " + amount + ")";
    }
  }

  /** One chosen block. */
  public record BlockView(long slot, List<TransferView> entries) {}

  /** Per-message-type transport statistics. */
  public record RpcView(
      String type, long sent, long received, long errors, double latencyMicrosAvg,
      long latencyMicrosP50, long latencyMicrosP99) {}

  /**
   * A server's performance counters.
   *
   * @param executed transfers this server executed since it (re)started
   * @param committed of those, how many are chosen
   * @param busyMillis time spent handling transfers and retries, rounds included
   * @param latencyMicrosAvg per executed transfer, from arrival to durable in the local log
   * @param roundsRun rounds this server ran on demand
   * @param roundsFailed of those, how many found no majority
   * @param commitLatencyMicrosAvg per entry, from submit to chosen (the node's own measure)
   * @param messagesSent protocol messages sent, by type
   * @param messagesReceived protocol messages received, by type
   * @param rpc the transport's per-type counts and latency, where it keeps them
   */
  public record PerformanceView(
      long executed,
      long committed,
      long busyMillis,
      double latencyMicrosAvg,
      long latencyMicrosP50,
      long latencyMicrosP99,
      long roundsRun,
      long roundsFailed,
      double commitLatencyMicrosAvg,
      long commitLatencyMicrosP50,
      long commitLatencyMicrosP99,
      Map<String, Long> messagesSent,
      Map<String, Long> messagesReceived,
      List<RpcView> rpc) {}

  /** The view of a server that is down. */
  public static ServerView down(int id) {
    return new ServerView(
        Servers.name(id), false, false, 0, 0, Map.of(), List.of(), List.of(), List.of(), null);
  }
}
