package dev.modpaxos.bank;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.modpaxos.bank.MessageLog.Event;
import dev.modpaxos.bank.ServerHandle.Watch;
import dev.modpaxos.bank.SetRunner.SetOutcome;
import io.javalin.Javalin;
import io.javalin.http.sse.SseClient;
import io.javalin.http.staticfiles.Location;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --web}: one page on 127.0.0.1 that shows the cluster as it runs — per server up, down or
 * disconnected, promised ballot, leader, committed slot, local log, pending transfers and
 * balances; the current set; and the rounds as their messages arrive — pushed to the browser by
 * server-sent events ({@code /events}). The page and its script are served from the jar
 * ({@code /web}), nothing from the internet. The buttons NextIteration, CrashServer and
 * RecoverServer run the same {@link Menu#execute} as the console. Thread-safe.
 *
 * <p>It polls the servers from its own threads: messages and ballots every {@value #POLL_MILLIS}
 * ms (never waiting for a running round), views as often as the servers answer them.
 */
final class WebView implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WebView.class);
  static final long POLL_MILLIS = 200;
  private static final int RECENT_MESSAGES = 40;
  private static final Set<String> CONTROLS =
      Set.of("NextIteration", "CrashServer", "RecoverServer");

  private final Javalin app;
  // Set once by attach(); the page shows "starting" until then.
  private volatile Cluster cluster;
  private volatile Menu menu;
  private volatile String title = "modpaxos bank";
  private final Set<SseClient> clients = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService pollers = Executors.newScheduledThreadPool(2, r -> {
    Thread t = new Thread(r, "bank-web-poll");
    t.setDaemon(true);
    return t;
  });
  private final ExecutorService commands = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "bank-web-command");
    t.setDaemon(true);
    return t;
  });

  // Guarded by this: what the page shows.
  private final Map<Integer, Long> cursors = new HashMap<>();
  private final Map<Integer, Watch> watches = new HashMap<>();
  private final Rounds rounds = new Rounds();
  private final ArrayDeque<Event> recent = new ArrayDeque<>();
  private List<ServerView> views = List.of();
  private Map<String, Object> set = Map.of("number", 0, "summary", "starting");
  private String lastState = "";

  private WebView(int port) {
    this.app = LoopbackHttp.start("--web", port, cfg -> {
      cfg.staticFiles.add("/web", Location.CLASSPATH);
      cfg.routes.get("/state", ctx -> ctx.contentType("application/json").result(state()));
      cfg.routes.sse("/events", client -> {
        client.keepAlive();
        clients.add(client);
        client.onClose(() -> clients.remove(client));
        client.sendEvent("state", state());
      });
      cfg.routes.post("/command", ctx -> {
        String line = ctx.formParam("line");
        String word = line == null ? "" : line.trim().split("\\s+")[0];
        if (!CONTROLS.contains(word) || menu == null) {
          ctx.status(400).result("only " + CONTROLS + " run from the page, once the bank runs");
          return;
        }
        commands.execute(() -> run(line.trim()));
        ctx.status(202).result("running " + line.trim());
      });
    });
  }

  /**
   * Listens on {@code port} (0: any free port) at once, so that a port in use is a one-line
   * {@link BankMain.UserError} before anything else starts; {@link #attach} gives it the cluster.
   */
  static WebView bind(int port) {
    return new WebView(port);
  }

  /** Shows {@code session}'s cluster from now on; its buttons run {@code menu}'s commands. */
  void attach(Session session, Menu menu, String title) {
    this.title = title;
    this.cluster = session.cluster();
    this.menu = menu;
    session.watchSets(new Session.SetWatcher() {
      @Override
      public void started(TransferSet s) {
        setInfo(s.number(), s.liveNames(), true, "Running set " + s.number() + " (live "
            + s.liveNames() + ", " + Printer.plural(s.transfers().size(), "transfer") + ")");
      }

      @Override
      public void done(SetOutcome o) {
        setInfo(o.set(), o.live().toString(), false, summary(o));
      }
    });
    pollers.scheduleWithFixedDelay(this::pollWatches, 0, POLL_MILLIS, TimeUnit.MILLISECONDS);
    pollers.scheduleWithFixedDelay(this::pollViews, 0, POLL_MILLIS, TimeUnit.MILLISECONDS);
  }

  String url() {
    return "http://" + LoopbackHttp.HOST + ":" + app.port() + "/";
  }

  /** The set's outcome as the page shows it: "no slot chosen" when its rounds chose nothing. */
  static String summary(SetOutcome o) {
    return "Set " + o.set() + " done (live " + o.live() + "): " + o.executed() + " executed, "
        + o.pending() + " pending, " + o.rejected() + " rejected; "
        + (o.chosenSlots() == 0 ? "no slot chosen" : Printer.plural(o.chosenSlots(), "slot")
            + " chosen");
  }

  private void run(String line) {
    log.info("web: {}", line);
    System.out.println("bank> " + line + "   (from the web view)");
    menu.execute(line);
  }

  private synchronized void setInfo(int number, String live, boolean running, String summary) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("number", number);
    m.put("live", live);
    m.put("running", running);
    m.put("summary", summary);
    set = m;
    publishLocked();
  }

  private void pollWatches() {
    try {
      Map<Integer, Watch> got = new HashMap<>();
      for (int id : Servers.IDS) {
        long after;
        synchronized (this) {
          after = cursors.getOrDefault(id, 0L);
        }
        got.put(id, cluster.server(id).watch(after, MessageLog.CAPACITY));
      }
      synchronized (this) {
        List<Event> fresh = new ArrayList<>();
        got.forEach((id, w) -> {
          watches.put(id, w);
          for (Event e : w.messages()) {
            cursors.merge(id, e.seq(), Math::max);
            fresh.add(e);
          }
        });
        fresh.sort((a, b) -> Long.compare(a.atMillis(), b.atMillis()));
        for (Event e : fresh) {
          rounds.add(e);
          recent.addLast(e);
          if (recent.size() > RECENT_MESSAGES) {
            recent.removeFirst();
          }
        }
        publishLocked();
      }
    } catch (RuntimeException e) {
      log.warn("web: watching the servers failed: {}", e.toString());
    }
  }

  private void pollViews() {
    try {
      List<ServerView> v = cluster.views();
      synchronized (this) {
        views = v;
        publishLocked();
      }
    } catch (RuntimeException e) {
      log.warn("web: reading the servers' views failed: {}", e.toString());
    }
  }

  /** Pushes the state to every page if it changed. */
  private void publishLocked() {
    String s = stateLocked();
    if (s.equals(lastState)) {
      return;
    }
    lastState = s;
    for (SseClient c : clients) {
      try {
        c.sendEvent("state", s);
      } catch (RuntimeException e) {
        clients.remove(c);
      }
    }
  }

  private synchronized String state() {
    return stateLocked();
  }

  private String stateLocked() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("title", title);
    m.put("set", set);
    List<Map<String, Object>> servers = new ArrayList<>();
    String leader = "-";
    for (ServerView v : views) {
      Watch w = watches.getOrDefault(Servers.parse(v.server()), Watch.NONE);
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("server", v.server());
      s.put("state", !v.up() ? "down" : v.connected() ? "up" : "disconnected");
      s.put("promised", v.up() ? w.promised() : "-");
      s.put("leader", v.up() && w.leader());
      s.put("committedSlot", v.committedSlot());
      s.put("localLog", v.localLog().stream().map(Object::toString).toList());
      s.put("pending", v.pending().stream().map(Object::toString).toList());
      s.put("balance", v.balance());
      s.put("notFinal", v.notFinal() == null ? "" : v.notFinal());
      s.put("balanceMap", v.balanceMap());
      servers.add(s);
      if (v.up() && w.leader()) {
        leader = v.server();
      }
    }
    m.put("leader", leader);
    m.put("servers", servers);
    m.put("rounds", rounds.rounds());
    m.put("messages", List.copyOf(recent));
    try {
      return AdminService.JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    pollers.shutdownNow();
    commands.shutdownNow();
    clients.forEach(SseClient::close);
    app.stop();
  }
}
