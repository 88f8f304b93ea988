package dev.modpaxos.transport.grpc;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerStreamTracer;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Builds the server and the peer channels of a {@link GrpcTransport} from its {@link Settings}:
 * credentials, message limit and keepalive, set the same way on both ends.
 */
final class GrpcChannels {
  /**
   * Streams one connection may hold at once. A peer needs one; a few more let a re-opened stream
   * overlap the end of the old one.
   */
  static final int STREAMS_PER_CONNECTION_MAX = 4;

  private GrpcChannels() {}

  static Server server(
      InetSocketAddress address,
      Settings s,
      Executor executor, // null: Netty's event loop
      ServerServiceDefinition service,
      ServerStreamTracer.Factory tracer) {
    NettyServerBuilder b = NettyServerBuilder.forAddress(address, serverCredentials(s.tls()));
    if (executor == null) {
      b.directExecutor(); // decode and hand over on the event loop that read the bytes
    } else {
      b.executor(executor);
    }
    return b
        .addService(service)
        .addStreamTracerFactory(tracer)
        .maxInboundMessageSize(s.maxInboundMessageBytes())
        .maxConcurrentCallsPerConnection(STREAMS_PER_CONNECTION_MAX)
        .keepAliveTime(s.keepAliveTimeMillis(), TimeUnit.MILLISECONDS)
        .keepAliveTimeout(s.keepAliveTimeoutMillis(), TimeUnit.MILLISECONDS)
        .permitKeepAliveTime(s.keepAliveTimeMillis(), TimeUnit.MILLISECONDS)
        .permitKeepAliveWithoutCalls(true)
        .build();
  }

  /**
   * The channel to member {@code peerId}. With TLS the client dials the authority {@code
   * node-<peerId>}, so the handshake also checks that the server's certificate names that member.
   * The stream's callbacks run directly on Netty's event loop: on-ready writes batches of
   * envelopes the senders already encoded (a copy of at most {@link PeerLink#BATCH_BYTES_TARGET}
   * bytes), and the end of a stream schedules its re-open. Neither blocks, and on the inbound pool
   * they would queue in front of inbound messages. No retries and no wait-for-ready: a stream to a
   * peer that is down fails at once, and {@link PeerLink} decides when to try again.
   */
  static ManagedChannel channel(int peerId, InetSocketAddress address, Settings s) {
    NettyChannelBuilder b =
        NettyChannelBuilder.forAddress(address, channelCredentials(s.tls()))
            .directExecutor()
            .maxInboundMessageSize(s.maxInboundMessageBytes())
            .keepAliveTime(s.keepAliveTimeMillis(), TimeUnit.MILLISECONDS)
            .keepAliveTimeout(s.keepAliveTimeoutMillis(), TimeUnit.MILLISECONDS)
            .keepAliveWithoutCalls(true)
            .disableRetry();
    if (s.tls() != null) {
      b.overrideAuthority(MemberAuthorizer.nameOf(peerId));
    }
    return b.build();
  }

  private static ServerCredentials serverCredentials(TlsConfig tls) {
    if (tls == null) {
      return InsecureServerCredentials.create();
    }
    try {
      return TlsServerCredentials.newBuilder()
          .keyManager(tls.certChainFile().toFile(), tls.privateKeyFile().toFile())
          .trustManager(tls.caCertFile().toFile())
          .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load TLS files: " + e.getMessage(), e);
    }
  }

  private static ChannelCredentials channelCredentials(TlsConfig tls) {
    if (tls == null) {
      return InsecureChannelCredentials.create();
    }
    try {
      return TlsChannelCredentials.newBuilder()
          .keyManager(tls.certChainFile().toFile(), tls.privateKeyFile().toFile())
          .trustManager(tls.caCertFile().toFile())
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load TLS files: " + e.getMessage(), e);
    }
  }
}
