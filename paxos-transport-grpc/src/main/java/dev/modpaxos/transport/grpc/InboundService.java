package dev.modpaxos.transport.grpc;

import dev.modpaxos.protocol.Message;
import dev.modpaxos.transport.grpc.proto.PaxosGrpc;
import dev.modpaxos.transport.grpc.proto.Wire.Ack;
import dev.modpaxos.transport.grpc.proto.Wire.Envelope;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.function.Consumer;

/**
 * The server side of {@code modpaxos.v1.Paxos/Deliver}: decodes and validates each envelope, checks
 * that it is addressed to this node, hands it to the node and acknowledges. A bad envelope is
 * answered with INVALID_ARGUMENT, counted and logged; it never reaches the node. Runs on the
 * transport's bounded executor, never on a Netty event loop. Thread-safe.
 */
final class InboundService extends PaxosGrpc.PaxosImplBase {
  private final int self;
  private final MessageCodec codec;
  private final TransportStats stats;
  private final MemberAuthorizer.Rejections rejections;
  private final Consumer<Message> inbound;

  InboundService(
      int self,
      MessageCodec codec,
      TransportStats stats,
      MemberAuthorizer.Rejections rejections,
      Consumer<Message> inbound) {
    this.self = self;
    this.codec = codec;
    this.stats = stats;
    this.rejections = rejections;
    this.inbound = inbound;
  }

  @Override
  public void deliver(Envelope envelope, StreamObserver<Ack> response) {
    Message m;
    try {
      m = codec.decode(envelope);
      if (m.to() != self) {
        throw new MalformedMessageException("addressed to node " + m.to() + ", this is node " + self);
      }
    } catch (MalformedMessageException e) {
      String type = MessageCodec.typeOf(envelope);
      rejections.reject(type, type + " from " + envelope.getFrom() + ": " + e.getMessage());
      response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    stats.received(m.type());
    try {
      inbound.accept(m);
    } catch (RuntimeException e) {
      rejections.reject(m.type(), "the node refused " + m.type() + " from " + m.from() + ": " + e);
      response.onError(Status.INTERNAL.withDescription("node refused the message").asRuntimeException());
      return;
    }
    response.onNext(Ack.getDefaultInstance());
    response.onCompleted();
  }
}
