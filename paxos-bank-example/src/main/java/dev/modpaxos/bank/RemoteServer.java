package dev.modpaxos.bank;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.modpaxos.bank.admin.BankAdminGrpc;
import dev.modpaxos.bank.admin.BankAdminGrpc.BankAdminBlockingStub;
import dev.modpaxos.bank.admin.CatchUpRequest;
import dev.modpaxos.bank.admin.ConnectRequest;
import dev.modpaxos.bank.admin.Empty;
import dev.modpaxos.bank.admin.MemberReply;
import dev.modpaxos.bank.admin.ReplaceReply;
import dev.modpaxos.bank.admin.ReplaceRequest;
import dev.modpaxos.bank.admin.RetryReply;
import dev.modpaxos.bank.admin.RetryRequest;
import dev.modpaxos.bank.admin.StatusReply;
import dev.modpaxos.bank.admin.TransferReply;
import dev.modpaxos.bank.admin.TransferRequest;
import dev.modpaxos.bank.admin.UnreachableRequest;
import dev.modpaxos.bank.admin.ViewRequest;
import dev.modpaxos.bank.admin.WatchRequest;
import io.grpc.ConnectivityState;
import dev.modpaxos.bank.TransferResult.Status;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ServerHandle} on a server process, through the admin RPC. An unreachable process looks
 * like a server that is down: transfers come back undelivered and its view is empty.
 */
final class RemoteServer implements ServerHandle {
  private static final Logger log = LoggerFactory.getLogger(RemoteServer.class);
  private static final long CALL_MILLIS = 10_000;
  private static final long STATUS_MILLIS = 3_000;
  private static final long WORK_MILLIS = 90_000; // a transfer or retry may run a round

  private final int id;
  private final ManagedChannel channel;
  private final BankAdminBlockingStub stub;

  RemoteServer(int id, ManagedChannel channel) {
    this.id = id;
    this.channel = channel;
    this.stub = BankAdminGrpc.newBlockingStub(channel);
  }

  @Override
  public int id() {
    return id;
  }

  /**
   * One call. A channel that failed to connect backs off (up to minutes in gRPC) and fails calls
   * at once meanwhile, so a server process that was restarted would look down long after it
   * serves: the back-off is reset first, so the call dials again and waits for the connection.
   */
  private <T> T call(long millis, String method, Function<BankAdminBlockingStub, T> rpc) {
    if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
      channel.resetConnectBackoff();
    }
    try {
      return rpc.apply(stub.withDeadlineAfter(millis, TimeUnit.MILLISECONDS));
    } catch (StatusRuntimeException e) {
      throw answeredButFailed(method, e);
    }
  }

  /**
   * {@code e} itself when it says the server does not answer (UNAVAILABLE: not listening, or the
   * connection broke; DEADLINE_EXCEEDED: no answer in time), which the callers treat as a server
   * that is down. Any other status came from a server that is up (a refused certificate, an
   * answer over the channel's size limit, a failure inside the server): that is never mistaken
   * for a dead server, and stops the driver with one line naming the call and the status.
   */
  private RuntimeException answeredButFailed(String method, StatusRuntimeException e) {
    io.grpc.Status.Code code = e.getStatus().getCode();
    if (code == io.grpc.Status.Code.UNAVAILABLE || code == io.grpc.Status.Code.DEADLINE_EXCEEDED) {
      return e;
    }
    return new BankMain.UserError(Servers.name(id) + " answered " + method + " with " + code
        + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription())
        + " (it is up, not down)");
  }

  @Override
  public TransferResult transfer(Transfer t) {
    TransferReply r;
    try {
      r = call(WORK_MILLIS, "Transfer", s -> s.transfer(TransferRequest.newBuilder().setId(t.id())
          .setFrom(t.from()).setTo(t.to()).setAmount(t.amount()).build()));
    } catch (StatusRuntimeException e) {
      return new TransferResult(t.id(), Status.UNDELIVERED, unreachable(e), 0, List.of());
    }
    return new TransferResult(t.id(), Status.valueOf(r.getStatus().name()), r.getReason(),
        r.getRoundsRun(), r.getExecutedIdsList());
  }

  @Override
  public RetryResult retryPending(boolean allowRound) {
    try {
      RetryReply r = call(WORK_MILLIS, "RetryPending",
          s -> s.retryPending(RetryRequest.newBuilder().setAllowRound(allowRound).build()));
      return new RetryResult(r.getExecutedIdsList(), r.getRoundsRun());
    } catch (StatusRuntimeException e) {
      unreachable(e);
      return RetryResult.NONE;
    }
  }

  @Override
  public void setConnected(boolean connected) {
    try {
      call(CALL_MILLIS, "SetConnected",
          s -> s.setConnected(ConnectRequest.newBuilder().setConnected(connected).build()));
    } catch (StatusRuntimeException e) {
      unreachable(e);
    }
  }

  @Override
  public void crash() {
    try {
      call(CALL_MILLIS, "Crash", s -> s.crash(Empty.getDefaultInstance()));
    } catch (StatusRuntimeException e) {
      unreachable(e);
    }
  }

  @Override
  public void recover() {
    try {
      call(WORK_MILLIS, "Recover", s -> s.recover(Empty.getDefaultInstance()));
    } catch (StatusRuntimeException e) {
      unreachable(e);
    }
  }

  @Override
  public ServerStatus status() {
    try {
      StatusReply r = call(STATUS_MILLIS, "Status", s -> s.status(Empty.getDefaultInstance()));
      return new ServerStatus(r.getUp(), r.getAppliedSlot(), r.getLocalLogSize(),
          r.getIncarnation());
    } catch (StatusRuntimeException e) {
      log.debug("{} unreachable: {}", Servers.name(id), e.getStatus());
      return ServerStatus.DOWN;
    }
  }

  @Override
  public boolean isUp() {
    return status().up();
  }

  @Override
  public long appliedSlot() {
    return status().appliedSlot();
  }

  @Override
  public void setUnreachable(java.util.Set<Integer> peers) {
    try {
      call(CALL_MILLIS, "SetUnreachable", s -> s.setUnreachable(
          UnreachableRequest.newBuilder().addAllPeers(peers).build()));
    } catch (StatusRuntimeException e) {
      unreachable(e);
    }
  }

  @Override
  public boolean catchUpTo(long slot, long timeoutMillis) {
    try {
      return call(timeoutMillis + CALL_MILLIS, "CatchUp", s -> s.catchUp(CatchUpRequest.newBuilder()
          .setSlot(slot).setTimeoutMillis(timeoutMillis).build())).getCaughtUp();
    } catch (StatusRuntimeException e) {
      unreachable(e);
      return false;
    }
  }

  /**
   * The server's view, its blocks fetched in pages (each at most AdminService#VIEW_ENTRIES_MAX
   * transfers, far below the channel's 4 MiB limit) until its committed slot: so a long history
   * never makes an answer too large.
   */
  @Override
  public ServerView view() {
    try {
      return ServerView.paged(this::viewPage);
    } catch (StatusRuntimeException e) {
      unreachable(e);
      return ServerView.down(id);
    } catch (java.io.UncheckedIOException e) {
      log.warn("{}: unreadable view: {}", Servers.name(id), e.getCause().getMessage());
      return ServerView.down(id);
    }
  }

  private ServerView viewPage(long afterSlot) {
    String json = call(CALL_MILLIS, "View", s -> s.view(
        ViewRequest.newBuilder().setBlocksAfterSlot(afterSlot).build())).getJson();
    try {
      return AdminService.JSON.readValue(json, ServerView.class);
    } catch (JsonProcessingException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public Watch watch(long afterSeq, int max) {
    try {
      String json = call(STATUS_MILLIS, "Watch", s -> s.watch(WatchRequest.newBuilder()
          .setAfterSeq(afterSeq).setMax(max).build())).getJson();
      return AdminService.JSON.readValue(json, Watch.class);
    } catch (StatusRuntimeException e) {
      log.debug("{} unreachable: {}", Servers.name(id), e.getStatus());
      return Watch.NONE;
    } catch (JsonProcessingException e) {
      log.warn("{}: unreadable watch: {}", Servers.name(id), e.getMessage());
      return Watch.NONE;
    }
  }

  @Override
  public MemberStatus memberStatus() {
    try {
      // Waits for the connection (within the deadline): a process just restarted with --rejoin
      // is dialled again rather than reported down from the old channel's failure.
      MemberReply r = call(STATUS_MILLIS, "Member",
          s -> s.withWaitForReady().member(Empty.getDefaultInstance()));
      return new MemberStatus(r.getUp(), r.getVoting(), r.getNewIncarnation(),
          r.getGeneration(), r.getNotVotingReason());
    } catch (StatusRuntimeException e) {
      log.debug("{} unreachable: {}", Servers.name(id), e.getStatus());
      return MemberStatus.DOWN;
    }
  }

  @Override
  public ReplaceResult replaceMember(int member, int aboveGeneration) {
    try {
      ReplaceReply r = call(WORK_MILLIS, "ReplaceMember", s -> s.replaceMember(
          ReplaceRequest.newBuilder().setMember(member).setAboveGeneration(aboveGeneration)
              .build()));
      return new ReplaceResult(r.getOk(), r.getGeneration(), r.getReason());
    } catch (StatusRuntimeException e) {
      return new ReplaceResult(false, 0, unreachable(e));
    }
  }

  private String unreachable(StatusRuntimeException e) {
    String why = Servers.name(id) + " unreachable: " + e.getStatus().getCode()
        + (e.getStatus().getDescription() == null ? "" : " " + e.getStatus().getDescription());
    log.warn(why);
    return why;
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
