package dev.modpaxos.bank;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import java.util.function.Consumer;

/**
 * Starts the bank's embedded HTTP servers (Javalin on Jetty) on 127.0.0.1 only: the web view
 * ({@code --web}) and the Prometheus scrape ({@code --metrics-port}). A port that cannot be bound
 * is a one-line {@link BankMain.UserError}; Jetty's own account of it goes to the log file.
 */
final class LoopbackHttp {
  static final String HOST = "127.0.0.1";

  private LoopbackHttp() {}

  /**
   * @param option the command-line option asking for it, for the error message
   * @param port the port, 0 for any free one
   * @param routes adds the routes
   */
  static Javalin start(String option, int port, Consumer<JavalinConfig> routes) {
    if (port < 0 || port > 65_535) {
      throw new BankMain.UserError(option + ": port must be in 0..65535, got " + port);
    }
    Javalin app = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.startup.showOldJavalinVersionWarning = false;
      routes.accept(cfg);
    });
    try {
      return app.start(HOST, port);
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(LoopbackHttp.class).error("{} could not start", option, e);
      try {
        app.stop();
      } catch (RuntimeException ignored) {
        // it never started
      }
      throw new BankMain.UserError(option + ": cannot listen on " + HOST + ":" + port + " ("
          + (bindFailure(e) ? "the port is in use" : oneLine(e)) + ")");
    }
  }

  private static boolean bindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.BindException) {
        return true;
      }
    }
    return false;
  }

  private static String oneLine(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    String m = root.getMessage() != null ? root.getMessage() : root.toString();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
