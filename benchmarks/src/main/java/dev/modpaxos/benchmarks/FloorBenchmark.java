package dev.modpaxos.benchmarks;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The floor: raw gRPC unary round trips on 127.0.0.1 (Netty, plaintext), with a request the size
 * of an ACCEPT carrying one 32-byte command ({@value #REQUEST_BYTES} bytes) and a reply the size of
 * an ACCEPTED ({@value #REPLY_BYTES} bytes). No protobuf: a hand-made method descriptor with a
 * byte[] marshaller, and direct executors on both sides, so the figure is gRPC and the loopback
 * alone: the lowest round trip this machine gives gRPC. Every end-to-end latency is also
 * reported as a multiple of {@link #roundTrip}'s p50.
 */
@State(Scope.Benchmark)
public class FloorBenchmark extends BenchmarkDefaults {
  static final int REQUEST_BYTES = 64;
  static final int REPLY_BYTES = 16;
  static final int OUTSTANDING = 64;

  static final MethodDescriptor.Marshaller<byte[]> BYTES =
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

  static final MethodDescriptor<byte[], byte[]> ECHO =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(MethodDescriptor.generateFullMethodName("modpaxos.bench.Floor", "Echo"))
          .setRequestMarshaller(BYTES)
          .setResponseMarshaller(BYTES)
          .build();

  private final byte[] request = new byte[REQUEST_BYTES];
  private final byte[] reply = new byte[REPLY_BYTES];
  private Server server;
  private ManagedChannel channel;
  private Window window;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    ServerServiceDefinition service =
        ServerServiceDefinition.builder("modpaxos.bench.Floor")
            .addMethod(
                ECHO,
                ServerCalls.asyncUnaryCall(
                    (byte[] req, StreamObserver<byte[]> out) -> {
                      out.onNext(reply);
                      out.onCompleted();
                    }))
            .build();
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(service)
            .directExecutor()
            .build()
            .start();
    channel =
        NettyChannelBuilder.forAddress(new InetSocketAddress("127.0.0.1", server.getPort()))
            .usePlaintext()
            .directExecutor()
            .build();
    roundTrip(); // connect before measuring
  }

  @Setup(Level.Iteration)
  public void openWindow() {
    window = new Window(OUTSTANDING);
  }

  @TearDown(Level.Iteration)
  public void drainWindow() throws InterruptedException {
    window.drain(30_000);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  /** One client, one call at a time: the round-trip distribution (p50/p99). */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public byte[] roundTrip() {
    return ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT, request);
  }

  /** Calls/s with {@value #OUTSTANDING} outstanding on one channel. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public void throughput64() throws InterruptedException {
    window.submit(this::call);
  }

  private CompletableFuture<byte[]> call() {
    CompletableFuture<byte[]> f = new CompletableFuture<>();
    ClientCalls.asyncUnaryCall(
        channel.newCall(ECHO, CallOptions.DEFAULT),
        request,
        new StreamObserver<>() {
          @Override
          public void onNext(byte[] value) {
            f.complete(value);
          }

          @Override
          public void onError(Throwable t) {
            f.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {}
        });
    return f;
  }
}
