package dev.modpaxos.transport.grpc;

/** The immutable settings of one {@link GrpcTransport}, as its builder left them. */
record Settings(
    TlsConfig tls,
    int maxInboundMessageBytes,
    long deadlineMillis,
    long keepAliveTimeMillis,
    long keepAliveTimeoutMillis,
    int inFlightPerPeerMax,
    int threads,
    long reconnectMillis) {

  Settings(GrpcTransport.Builder b) {
    this(
        b.tls,
        b.maxInboundMessageBytes,
        b.deadlineMillis,
        b.keepAliveTimeMillis,
        b.keepAliveTimeoutMillis,
        b.inFlightPerPeerMax,
        b.threads,
        b.reconnectMillis);
  }
}
