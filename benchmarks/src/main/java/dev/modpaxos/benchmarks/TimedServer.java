package dev.modpaxos.benchmarks;

import dev.modpaxos.bank.ServerHandle;
import dev.modpaxos.bank.ServerView;
import dev.modpaxos.bank.Transfer;
import dev.modpaxos.bank.TransferResult;
import dev.modpaxos.bank.TransferResult.Status;

/**
 * A bank server as the driver sees it, timing each {@link #transfer} call and sorting it by what
 * the server reports back: <b>local</b> when it executed without a round (funded by the sender's
 * own balance), <b>consensus</b> when it executed after the round it had to run, <b>pending</b>
 * when it was still short afterwards. Everything else is passed through. Not thread-safe, as the
 * driver calls one server at a time.
 */
final class TimedServer implements ServerHandle {
  /** What one {@link BankBenchmark} run counted: transfers and summed latency per kind. */
  static final class Tally {
    long local;
    long localNanos;
    long consensus;
    long consensusNanos;
    long pending;
    long pendingNanos;
    long executedLater;

    void add(TransferResult r, long nanos) {
      if (r.status() == Status.EXECUTED && r.roundsRun() == 0) {
        local++;
        localNanos += nanos;
      } else if (r.status() == Status.EXECUTED) {
        consensus++;
        consensusNanos += nanos;
      } else if (r.status() == Status.PENDING) {
        pending++;
        pendingNanos += nanos;
      }
      executedLater += r.executedIds().size();
    }
  }

  private final ServerHandle server;
  private final Tally tally;

  TimedServer(ServerHandle server, Tally tally) {
    this.server = server;
    this.tally = tally;
  }

  @Override
  public TransferResult transfer(Transfer t) {
    long start = System.nanoTime();
    TransferResult r = server.transfer(t);
    tally.add(r, System.nanoTime() - start);
    return r;
  }

  @Override
  public RetryResult retryPending(boolean allowRound) {
    RetryResult r = server.retryPending(allowRound);
    tally.executedLater += r.executedIds().size();
    return r;
  }

  @Override
  public int id() {
    return server.id();
  }

  @Override
  public ServerStatus status() {
    return server.status();
  }

  @Override
  public void setUnreachable(java.util.Set<Integer> peers) {
    server.setUnreachable(peers);
  }

  @Override
  public void setConnected(boolean connected) {
    server.setConnected(connected);
  }

  @Override
  public void crash() {
    server.crash();
  }

  @Override
  public void recover() {
    server.recover();
  }

  @Override
  public boolean isUp() {
    return server.isUp();
  }

  @Override
  public long appliedSlot() {
    return server.appliedSlot();
  }

  @Override
  public boolean catchUpTo(long slot, long timeoutMillis) {
    return server.catchUpTo(slot, timeoutMillis);
  }

  @Override
  public ServerView view() {
    return server.view();
  }

  @Override
  public void close() {
    server.close();
  }
}
