package dev.modpaxos.transport.grpc;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.slf4j.LoggerFactory;

/**
 * What gRPC's Netty server logs through {@code java.util.logging} about bad inbound input, made
 * one throttled line. gRPC logs a stack trace for every connection that does not speak HTTP/2
 * ("Transport failed", at INFO) and for every stream whose frame it cannot deframe, oversized
 * ones included ("Exception processing message", at WARNING): a flood of bad streams became a
 * flood of stack traces. A {@link Filter} on those two loggers takes each such record instead: an
 * oversized frame is already logged by the transport's stream tracer in the "rejected inbound"
 * form, so its record is dropped; any other becomes one line through a {@link ThrottledLog}
 * ({@code gRPC server rejected inbound connection: Transport failed: Http2Exception: ...}), and
 * nothing reaches the JUL handlers (the console, by default). Records below INFO pass unchanged.
 *
 * <p>The loggers are the process's, so this applies to every gRPC server in the JVM once a
 * {@link GrpcTransport} has started. Thread-safe; {@link #install} is idempotent.
 */
final class GrpcServerNoise implements Filter {
  private static final String PACKAGE = NettyServerBuilder.class.getPackageName();
  static final String CONNECTIONS = PACKAGE + ".NettyServerTransport.connections";
  static final String STREAMS = PACKAGE + ".NettyServerStream";
  // JUL holds its loggers weakly: a logger dropped by the GC would come back without the filter.
  private static final List<Logger> HELD = new ArrayList<>();
  private static final ThrottledLog out =
      new ThrottledLog(LoggerFactory.getLogger(GrpcServerNoise.class));

  private final String what;
  private final Filter previous;

  private GrpcServerNoise(String what, Filter previous) {
    this.what = what;
    this.previous = previous;
  }

  /** Puts the filter on gRPC's server loggers, once per process. */
  static synchronized void install() {
    if (!HELD.isEmpty()) {
      return;
    }
    for (String name : List.of(CONNECTIONS, STREAMS)) {
      Logger l = Logger.getLogger(name);
      l.setFilter(new GrpcServerNoise(name.equals(CONNECTIONS) ? "connection" : "stream", l.getFilter()));
      HELD.add(l);
    }
  }

  @Override
  public boolean isLoggable(LogRecord r) {
    if (r.getLevel().intValue() < Level.INFO.intValue()) {
      return previous == null || previous.isLoggable(r);
    }
    Throwable t = r.getThrown();
    if (t instanceof io.grpc.StatusRuntimeException s
        && s.getStatus().getCode() == io.grpc.Status.Code.RESOURCE_EXHAUSTED) {
      return false; // the stream tracer logs it: "rejected inbound INVALID: frame refused, ..."
    }
    out.warn("gRPC server rejected inbound " + what + ": " + r.getMessage()
        + (t == null ? "" : ": " + oneLine(t)));
    return false;
  }

  private static String oneLine(Throwable t) {
    String m = String.valueOf(t.getMessage()).strip();
    int nl = m.indexOf('\n');
    return t.getClass().getSimpleName() + ": " + (nl < 0 ? m : m.substring(0, nl));
  }
}
