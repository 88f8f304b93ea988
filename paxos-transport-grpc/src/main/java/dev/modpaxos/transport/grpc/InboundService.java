package dev.modpaxos.transport.grpc;

import dev.modpaxos.protocol.Message;
import dev.modpaxos.transport.grpc.proto.PaxosGrpc;
import dev.modpaxos.transport.grpc.proto.Wire.Ack;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.Consumer;

/**
 * The server side of {@code modpaxos.v1.Paxos/Deliver}. It takes each request as raw bytes, so
 * that parsing too happens in {@link MessageCodec}; it validates the message, checks that it is
 * addressed to this node and, under TLS, that its claimed sender is the member the peer's
 * certificate names ({@link MemberAuthorizer#PEER_MEMBER}); then it hands it to the node and
 * acknowledges. A refused frame is answered with an error status, counted and logged, and never
 * reaches the node. Runs on the transport's bounded executor, never on a Netty event loop.
 * Thread-safe.
 */
final class InboundService implements ServerCalls.UnaryMethod<byte[], Ack> {
  /** Requests as the bytes on the wire; also lets tests send arbitrary frames. */
  static final MethodDescriptor.Marshaller<byte[]> RAW =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

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

  /** The {@code modpaxos.v1.Paxos} service, its one method bound to this handler. */
  ServerServiceDefinition definition() {
    MethodDescriptor<byte[], Ack> deliver =
        PaxosGrpc.getDeliverMethod().toBuilder(RAW, ProtoUtils.marshaller(Ack.getDefaultInstance()))
            .build();
    return ServerServiceDefinition.builder(PaxosGrpc.SERVICE_NAME)
        .addMethod(deliver, ServerCalls.asyncUnaryCall(this))
        .build();
  }

  @Override
  public void invoke(byte[] frame, StreamObserver<Ack> response) {
    Message m;
    try {
      m = codec.decode(frame);
    } catch (MalformedMessageException e) {
      refuse(response, Status.INVALID_ARGUMENT, e.messageType(), e.getMessage());
      return;
    }
    Integer certified = MemberAuthorizer.PEER_MEMBER.get();
    if (m.to() != self) {
      refuse(response, Status.INVALID_ARGUMENT, m.type(),
          "addressed to node " + m.to() + ", this is node " + self);
    } else if (certified != null && certified != m.from()) {
      refuse(response, Status.PERMISSION_DENIED, m.type(),
          "the peer holds the certificate of node " + certified + " but claims to be node "
              + m.from());
    } else {
      deliver(m, response);
    }
  }

  private void deliver(Message m, StreamObserver<Ack> response) {
    stats.received(m.type());
    try {
      inbound.accept(m);
    } catch (RuntimeException e) {
      refuse(response, Status.INTERNAL, m.type(), "the node refused it: " + e);
      return;
    }
    response.onNext(Ack.getDefaultInstance());
    response.onCompleted();
  }

  private void refuse(StreamObserver<Ack> response, Status status, String type, String reason) {
    rejections.reject(type, reason);
    response.onError(status.withDescription(reason).asRuntimeException());
  }
}
