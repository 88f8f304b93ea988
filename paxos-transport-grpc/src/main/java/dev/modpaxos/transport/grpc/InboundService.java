package dev.modpaxos.transport.grpc;

import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.Stamp;
import dev.modpaxos.spi.Transport;
import dev.modpaxos.transport.grpc.internal.wire.PaxosGrpc;
import dev.modpaxos.transport.grpc.internal.wire.Wire.Ack;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.function.IntConsumer;

/**
 * The server side of {@code modpaxos.v1.Paxos/Stream}: one {@link Inbound} per peer stream. It
 * takes each batch as raw bytes and splits it itself ({@link Batches#split}), so that each
 * envelope is parsed and validated on its own by {@link MessageCodec}; it checks that each
 * message is addressed to this node and, under TLS, that its claimed sender is the member the
 * stream's certificate names ({@link MemberAuthorizer#PEER_MEMBER}); then it hands it to the node,
 * in the order the stream carried it. Runs on the Netty event loop that read the stream (or the
 * transport's bounded pool, if it has one); gRPC runs one stream's callbacks one at a time.
 * Thread-safe.
 *
 * <p>A malformed or misaddressed message is counted, logged and dropped, and the stream goes on.
 * A message from a certified member claiming another sender ends the stream with
 * PERMISSION_DENIED: that peer is misconfigured or lying, and its sender sees the status.
 */
final class InboundService implements ServerCalls.ClientStreamingMethod<byte[], Ack> {
  /** The {@code Stream} method with batches as raw bytes. */
  static final MethodDescriptor<byte[], Ack> STREAM =
      PaxosGrpc.getStreamMethod().toBuilder(
              Batches.MARSHALLER, ProtoUtils.marshaller(Ack.getDefaultInstance()))
          .build();

  private final int self;
  private final MessageCodec codec;
  private final TransportStats stats;
  private final MemberAuthorizer.Rejections rejections;
  private final Transport.Inbound inbound;
  private final IntConsumer peerIsUp;

  /**
   * @param inbound the node's handler, called directly for each valid message and its stamp
   * @param peerIsUp told the sender of the first valid message of each stream
   */
  InboundService(
      int self,
      MessageCodec codec,
      TransportStats stats,
      MemberAuthorizer.Rejections rejections,
      Transport.Inbound inbound,
      IntConsumer peerIsUp) {
    this.self = self;
    this.codec = codec;
    this.stats = stats;
    this.rejections = rejections;
    this.inbound = inbound;
    this.peerIsUp = peerIsUp;
  }

  /** The {@code modpaxos.v1.Paxos} service, its one method bound to this handler. */
  ServerServiceDefinition definition() {
    return ServerServiceDefinition.builder(PaxosGrpc.SERVICE_NAME)
        .addMethod(STREAM, ServerCalls.asyncClientStreamingCall(this))
        .build();
  }

  @Override
  public StreamObserver<byte[]> invoke(StreamObserver<Ack> response) {
    return new Inbound(response, MemberAuthorizer.PEER_MEMBER.get());
  }

  /** One peer's stream. Its callbacks never run concurrently. */
  private final class Inbound implements StreamObserver<byte[]> {
    private final StreamObserver<Ack> response;
    private final Integer certified; // the certificate's member under TLS, else null
    private boolean refused; // the stream was ended with an error: ignore the rest
    private boolean heard; // a valid message came: its sender was told it is up

    Inbound(StreamObserver<Ack> response, Integer certified) {
      this.response = response;
      this.certified = certified;
    }

    @Override
    public void onNext(byte[] batch) {
      if (refused) {
        return;
      }
      stats.count(TransportCounter.BATCHES_RECEIVED);
      try {
        Batches.split(batch, this::onEnvelope);
      } catch (MalformedMessageException e) {
        rejections.reject(TransportStats.INVALID, TransportCounter.REJECTED_MALFORMED,
            e.getMessage());
      }
    }

    private void onEnvelope(byte[] envelope) {
      if (refused) {
        return;
      }
      MessageCodec.Stamped stamped;
      try {
        stamped = codec.decodeStamped(envelope);
      } catch (MalformedMessageException e) {
        rejections.reject(e.messageType(), TransportCounter.REJECTED_MALFORMED, e.getMessage());
        return;
      }
      Message m = stamped.message();
      if (m.to() != self) {
        rejections.reject(m.type(), TransportCounter.REJECTED_MISADDRESSED,
            "addressed to node " + m.to() + ", this is node " + self);
      } else if (certified != null && certified != m.from()) {
        String reason = "the peer holds the certificate of node " + certified
            + " but claims to be node " + m.from() + "; its stream is closed";
        rejections.reject(m.type(), TransportCounter.REJECTED_IMPOSTOR, reason);
        refused = true;
        response.onError(Status.PERMISSION_DENIED.withDescription(reason).asRuntimeException());
      } else {
        deliver(stamped.stamp(), m);
      }
    }

    private void deliver(Stamp stamp, Message m) {
      if (!heard) {
        heard = true;
        peerIsUp.accept(m.from());
      }
      stats.received(m.type());
      try {
        inbound.deliver(stamp, m);
      } catch (RuntimeException e) {
        rejections.reject(m.type(), TransportCounter.REJECTED_BY_NODE, "the node refused it: " + e);
      }
    }

    @Override
    public void onError(Throwable t) {
      // The peer went away or cancelled: its link re-opens a stream when it can.
    }

    @Override
    public void onCompleted() {
      if (!refused) {
        response.onNext(Ack.getDefaultInstance());
        response.onCompleted();
      }
    }
  }
}
