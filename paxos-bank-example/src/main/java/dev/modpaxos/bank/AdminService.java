package dev.modpaxos.bank;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modpaxos.bank.admin.BankAdminGrpc;
import dev.modpaxos.bank.admin.CatchUpReply;
import dev.modpaxos.bank.admin.CatchUpRequest;
import dev.modpaxos.bank.admin.ConnectRequest;
import dev.modpaxos.bank.admin.Empty;
import dev.modpaxos.bank.admin.FaultsRequest;
import dev.modpaxos.bank.admin.MemberReply;
import dev.modpaxos.bank.admin.ReplaceReply;
import dev.modpaxos.bank.admin.ReplaceRequest;
import dev.modpaxos.bank.admin.RetryReply;
import dev.modpaxos.bank.admin.RetryRequest;
import dev.modpaxos.bank.admin.StatusReply;
import dev.modpaxos.bank.admin.TransferReply;
import dev.modpaxos.bank.admin.TransferRequest;
import dev.modpaxos.bank.admin.UnreachableRequest;
import dev.modpaxos.bank.admin.ViewReply;
import dev.modpaxos.bank.admin.ViewRequest;
import dev.modpaxos.bank.admin.WatchRequest;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/**
 * The server side of the admin RPC: hands each call to this process's {@link BankServer}. A bad
 * request is answered with INVALID_ARGUMENT and changes nothing.
 */
final class AdminService extends BankAdminGrpc.BankAdminImplBase {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Empty EMPTY = Empty.getDefaultInstance();

  /**
   * A View page holds blocks until they hold this many transfers (always at least one block), so
   * a page's JSON stays far below gRPC's 4 MiB default limit: a block holds at most 4,096 entries
   * of about 70 bytes, so a page is at most about 0.9 MB.
   */
  static final int VIEW_ENTRIES_MAX = 8_192;

  private final BankServer server;
  private final int viewEntriesMax;
  // --fault-injection: what SetFaults sets; null (the default) refuses SetFaults.
  private final FaultInjection faults;

  AdminService(BankServer server) {
    this(server, VIEW_ENTRIES_MAX, null);
  }

  /** With {@code faults} for SetFaults ({@code --fault-injection}), or null to refuse it. */
  AdminService(BankServer server, FaultInjection faults) {
    this(server, VIEW_ENTRIES_MAX, faults);
  }

  /** With another page bound, for tests. */
  AdminService(BankServer server, int viewEntriesMax) {
    this(server, viewEntriesMax, null);
  }

  private AdminService(BankServer server, int viewEntriesMax, FaultInjection faults) {
    this.server = server;
    this.viewEntriesMax = viewEntriesMax;
    this.faults = faults;
  }

  @Override
  public void transfer(TransferRequest r, StreamObserver<TransferReply> out) {
    answer(out, () -> {
      String problem = Transfer.problem(r.getFrom(), r.getTo(), r.getAmount());
      if (problem != null) {
        throw Status.INVALID_ARGUMENT.withDescription(problem).asRuntimeException();
      }
      TransferResult t = server.transfer(
          new Transfer(r.getId(), r.getFrom(), r.getTo(), r.getAmount()));
      return TransferReply.newBuilder()
          .setStatus(TransferReply.Status.valueOf(t.status().name()))
          .setReason(t.reason())
          .setRoundsRun(t.roundsRun())
          .addAllExecutedIds(t.executedIds())
          .build();
    });
  }

  @Override
  public void retryPending(RetryRequest r, StreamObserver<RetryReply> out) {
    answer(out, () -> {
      ServerHandle.RetryResult x = server.retryPending(r.getAllowRound());
      return RetryReply.newBuilder()
          .addAllExecutedIds(x.executedIds())
          .setRoundsRun(x.roundsRun())
          .build();
    });
  }

  @Override
  public void setConnected(ConnectRequest r, StreamObserver<Empty> out) {
    answer(out, () -> {
      server.setConnected(r.getConnected());
      return EMPTY;
    });
  }

  @Override
  public void crash(Empty r, StreamObserver<Empty> out) {
    answer(out, () -> {
      server.crash();
      return EMPTY;
    });
  }

  @Override
  public void recover(Empty r, StreamObserver<Empty> out) {
    answer(out, () -> {
      server.recover();
      return EMPTY;
    });
  }

  @Override
  public void status(Empty r, StreamObserver<StatusReply> out) {
    answer(out, () -> {
      ServerHandle.ServerStatus s = server.status();
      return StatusReply.newBuilder()
          .setUp(s.up())
          .setAppliedSlot(s.appliedSlot())
          .setLocalLogSize(s.localLogSize())
          .setIncarnation(s.incarnation())
          .build();
    });
  }

  @Override
  public void setUnreachable(UnreachableRequest r, StreamObserver<Empty> out) {
    answer(out, () -> {
      server.setUnreachable(java.util.Set.copyOf(r.getPeersList()));
      return EMPTY;
    });
  }

  @Override
  public void catchUp(CatchUpRequest r, StreamObserver<CatchUpReply> out) {
    answer(out, () -> CatchUpReply.newBuilder()
        .setCaughtUp(server.catchUpTo(r.getSlot(), Math.min(r.getTimeoutMillis(), 60_000)))
        .build());
  }

  @Override
  public void view(ViewRequest r, StreamObserver<ViewReply> out) {
    answer(out, () -> json(server.view(r.getBlocksAfterSlot(), viewEntriesMax)));
  }

  @Override
  public void watch(WatchRequest r, StreamObserver<ViewReply> out) {
    answer(out, () -> json(server.watch(r.getAfterSeq(), Math.min(r.getMax(), MessageLog.CAPACITY))));
  }

  @Override
  public void member(Empty r, StreamObserver<MemberReply> out) {
    answer(out, () -> {
      ServerHandle.MemberStatus m = server.memberStatus();
      return MemberReply.newBuilder().setUp(m.up()).setVoting(m.voting())
          .setNewIncarnation(m.newIncarnation()).setGeneration(m.generation())
          .setNotVotingReason(m.notVotingReason()).build();
    });
  }

  @Override
  public void replaceMember(ReplaceRequest r, StreamObserver<ReplaceReply> out) {
    answer(out, () -> {
      if (!Servers.IDS.contains(r.getMember())) {
        throw Status.INVALID_ARGUMENT.withDescription("no server " + r.getMember())
            .asRuntimeException();
      }
      ServerHandle.ReplaceResult x = server.replaceMember(r.getMember(), r.getAboveGeneration());
      return ReplaceReply.newBuilder().setOk(x.ok()).setGeneration(x.generation())
          .setReason(x.reason()).build();
    });
  }

  @Override
  public void setFaults(FaultsRequest r, StreamObserver<Empty> out) {
    answer(out, () -> {
      if (faults == null) {
        throw Status.FAILED_PRECONDITION.withDescription(Servers.name(server.id())
            + " was not started with --fault-injection: SetFaults is for the chaos harness only")
            .asRuntimeException();
      }
      String problem = FaultInjection.problem(r);
      if (problem != null) {
        throw Status.INVALID_ARGUMENT.withDescription(problem).asRuntimeException();
      }
      faults.apply(r);
      return EMPTY;
    });
  }

  private static ViewReply json(Object value) {
    try {
      return ViewReply.newBuilder().setJson(JSON.writeValueAsString(value)).build();
    } catch (JsonProcessingException e) {
      throw Status.INTERNAL.withDescription(e.getMessage()).asRuntimeException();
    }
  }

  private static <T> void answer(StreamObserver<T> out, Supplier<T> call) {
    T reply;
    try {
      reply = call.get();
    } catch (io.grpc.StatusRuntimeException e) {
      out.onError(e);
      return;
    } catch (RuntimeException e) {
      out.onError(Status.INTERNAL.withDescription(e.toString()).asRuntimeException());
      return;
    }
    out.onNext(reply);
    out.onCompleted();
  }
}
