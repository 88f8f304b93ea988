/**
 * The gRPC {@link dev.modpaxos.spi.Transport}: {@link dev.modpaxos.transport.grpc.GrpcTransport}
 * (built with its builder, optionally with {@link dev.modpaxos.transport.grpc.TlsConfig mutual
 * TLS}) and its {@link dev.modpaxos.transport.grpc.TransportCounter counters}: the public API.
 * Everything else here is package-private: {@code MessageCodec}, the one place where the
 * protocol's records meet the {@code modpaxos.v1} protobuf schema, the per-peer outbound stream
 * and its queue ({@code PeerLink}, {@code Backoff}), the batch framing ({@code Batches}), the
 * inbound service, the certificate-to-member authorizer, the channel factory, the stats and the
 * throttled logging of rejected input ({@code ThrottledLog}, {@code GrpcServerNoise}). The
 * classes protoc generates live in {@code dev.modpaxos.transport.grpc.internal.wire}: an
 * implementation detail, left out of the Javadoc.
 *
 * <p>Nothing here decides anything about the protocol; a message either reaches the node valid
 * and authorized, or is refused, counted and logged. See docs/TRANSPORT.md.
 */
package dev.modpaxos.transport.grpc;
