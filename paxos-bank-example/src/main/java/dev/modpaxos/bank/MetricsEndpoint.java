package dev.modpaxos.bank;

import dev.modpaxos.metrics.micrometer.PaxosNodeMetrics;
import io.javalin.Javalin;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;

/**
 * {@code --metrics-port}: a Prometheus scrape of every node this process runs, at {@code
 * http://127.0.0.1:PORT/metrics}, through the Micrometer binding (docs/METRICS.md), each meter
 * tagged with its {@code node} and {@code server}. Follows a server across crash and recovery.
 */
final class MetricsEndpoint implements AutoCloseable {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Javalin app;

  private MetricsEndpoint(int port) {
    app = LoopbackHttp.start("--metrics-port", port, cfg -> cfg.routes
        .get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
            .result(registry.scrape())));
  }

  /**
   * Listens on {@code port} (0: any free port) at once, so that a port in use is a one-line
   * {@link BankMain.UserError} before anything else starts; {@link #add} binds the servers.
   */
  static MetricsEndpoint bind(int port) {
    return new MetricsEndpoint(port);
  }

  /** Binds the meters of {@code servers}' nodes, whichever node each runs at a scrape. */
  MetricsEndpoint add(List<BankServer> servers) {
    for (BankServer s : servers) {
      new PaxosNodeMetrics(s.id(), s::runningNode)
          .withTags(Tags.of("server", Servers.name(s.id())))
          .bindTo(registry);
    }
    return this;
  }

  String url() {
    return "http://" + LoopbackHttp.HOST + ":" + app.port() + "/metrics";
  }

  @Override
  public void close() {
    app.stop();
    registry.close();
  }
}
