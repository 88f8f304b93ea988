package dev.modpaxos.transport.grpc;

/** The immutable settings of one {@link GrpcTransport}, as its builder left them. */
record Settings(
    TlsConfig tls,
    int maxInboundMessageBytes,
    long keepAliveTimeMillis,
    long keepAliveTimeoutMillis,
    int queueMessagesMax,
    long queueBytesMax,
    int threads,
    long reconnectInitialMillis,
    long reconnectMaxMillis,
    long connectWaitMillis) {

  Settings(GrpcTransport.Builder b) {
    this(
        b.tls,
        b.maxInboundMessageBytes,
        b.keepAliveTimeMillis,
        b.keepAliveTimeoutMillis,
        b.queueMessagesMax,
        b.queueBytesMax,
        b.threads,
        b.reconnectInitialMillis,
        b.reconnectMaxMillis,
        b.connectWaitMillis);
  }
}
