package dev.modpaxos.bank;

import dev.modpaxos.bank.SetRunner.SetOutcome;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commands between sets. {@link #execute} runs one line; a bad line prints its usage and
 * changes nothing. Not thread-safe.
 */
public final class Menu {
  private static final Logger log = LoggerFactory.getLogger(Menu.class);

  /** The commands, their argument and what they do. */
  public enum Command {
    PRINT_BALANCE("PrintBalance", Arg.SERVER_OR_ALL, "a client's balance on its own server"),
    PRINT_LOG("PrintLog", Arg.SERVER_OR_ALL, "a server's local log and pending transfers"),
    PRINT_DB("PrintDB", Arg.SERVER_OR_ALL, "a server's chosen blocks"),
    PERFORMANCE("Performance", Arg.SERVER_OR_ALL, "throughput, latency, rounds and RPC counts"),
    BALANCE_MAP("BalanceMap", Arg.SERVER_OR_ALL, "a server's view of every client, and the aggregate"),
    NEXT_ITERATION("NextIteration", Arg.NONE, "run the next set"),
    CRASH_SERVER("CrashServer", Arg.SERVER, "stop a server; its store stays"),
    RECOVER_SERVER("RecoverServer", Arg.SERVER, "restart a server from its store and catch it up"),
    REPLACE_SERVER("ReplaceServer", Arg.SERVER,
        "re-admit a server restarted with --rejoin on a wiped or damaged directory"),
    ALL("all", Arg.NONE, "print everything"),
    HELP("help", Arg.NONE, "this list"),
    EXIT("exit", Arg.NONE, "leave");

    final String word;
    final Arg arg;
    final String help;

    Command(String word, Arg arg, String help) {
      this.word = word;
      this.arg = arg;
      this.help = help;
    }

    public String word() {
      return word;
    }

    public String usage() {
      return word + switch (arg) {
        case NONE -> "";
        case SERVER -> " <server>";
        case SERVER_OR_ALL -> this == PRINT_BALANCE ? " <client>|all" : " <server>|all";
      };
    }
  }

  enum Arg {
    NONE,
    SERVER,
    SERVER_OR_ALL
  }

  /** A parsed line: the command and its servers (all five for "all"), or a usage error. */
  record Parsed(Command command, List<Integer> servers, String error) {}

  private final Session session;
  private final PrintStream out;
  private final Printer printer;

  public Menu(Session session, PrintStream out) {
    this.session = session;
    this.out = out;
    this.printer = new Printer(out);
  }

  /** Every command word, for completion. */
  public static List<String> words() {
    return Arrays.stream(Command.values()).map(Command::word).toList();
  }

  static Parsed parse(String line) {
    String[] parts = line.trim().split("\\s+");
    Command c = null;
    for (Command k : Command.values()) {
      if (k.word.equalsIgnoreCase(parts[0])) {
        c = k;
      }
    }
    if (c == null) {
      return new Parsed(null, List.of(), "unknown command '" + parts[0] + "'; type help");
    }
    int want = c.arg == Arg.NONE ? 0 : 1;
    if (parts.length - 1 != want) {
      return new Parsed(c, List.of(), "usage: " + c.usage());
    }
    if (want == 0) {
      return new Parsed(c, List.of(), null);
    }
    if (c.arg == Arg.SERVER_OR_ALL && parts[1].equalsIgnoreCase("all")) {
      return new Parsed(c, Servers.IDS, null);
    }
    try {
      return new Parsed(c, List.of(Servers.parse(parts[1])), null);
    } catch (IllegalArgumentException e) {
      return new Parsed(c, List.of(), e.getMessage() + "; usage: " + c.usage());
    }
  }

  /**
   * Runs one line, then re-sends what a server that serves again is owed ({@link
   * SetRunner#resync()}). Returns false when the menu should end (exit). Holds the session's
   * monitor, which the driver's idle re-sync also takes.
   */
  public boolean execute(String line) {
    synchronized (session) {
      boolean more = executeLocked(line);
      if (more) {
        resync();
      }
      return more;
    }
  }

  /** Re-sends what servers that serve again are owed, and says so. */
  public void resync() {
    synchronized (session) {
      session.runner().resync().forEach(out::println);
    }
  }

  private boolean executeLocked(String line) {
    if (line.isBlank()) {
      return true;
    }
    Parsed p = parse(line);
    if (p.error() != null) {
      out.println(p.error());
      return true;
    }
    log.debug("command: {}", line.trim());
    switch (p.command()) {
      case PRINT_BALANCE -> p.servers().forEach(c -> printer.balance(view(c), c));
      case PRINT_LOG -> p.servers().forEach(s -> printer.log(view(s)));
      case PRINT_DB -> p.servers().forEach(s -> printer.db(view(s)));
      case PERFORMANCE -> performance(p.servers());
      case BALANCE_MAP -> printer.balanceMap(session.cluster().views(), p.servers());
      case NEXT_ITERATION -> nextIteration();
      case CRASH_SERVER -> crash(p.servers().get(0));
      case RECOVER_SERVER -> recover(p.servers().get(0));
      case REPLACE_SERVER -> replace(p.servers().get(0));
      case ALL -> printAll();
      case HELP -> help();
      case EXIT -> {
        return false;
      }
    }
    return true;
  }

  /** Runs the next set and prints its outcome; says so when there is none. */
  public void nextIteration() {
    synchronized (session) {
      nextIterationLocked();
    }
  }

  private void nextIterationLocked() {
    if (!session.hasNextSet()) {
      out.println("All " + session.setsTotal() + " sets are done; type exit to leave.");
      return;
    }
    TransferSet set = session.peekNextSet();
    out.printf("Running set %d (live %s, %d transfers)%n",
        set.number(), set.liveNames(), set.transfers().size());
    set.rejected().forEach(p -> out.println("  rejected " + p));
    SetOutcome o = session.runNextSet();
    printer.outcome(o);
  }

  private void crash(int id) {
    ServerHandle s = session.cluster().server(id);
    if (!s.isUp()) {
      out.println(Servers.name(id) + " is already down; usage: " + Command.CRASH_SERVER.usage());
      return;
    }
    session.cluster().crash(id);
    out.println(Servers.name(id) + " crashed; its store is kept");
  }

  private void recover(int id) {
    ServerHandle s = session.cluster().server(id);
    if (s.isUp()) {
      out.println(Servers.name(id) + " is up; usage: " + Command.RECOVER_SERVER.usage());
      return;
    }
    boolean caughtUp = session.cluster().recover(id);
    out.printf("%s recovered at slot %d%s%n", Servers.name(id), s.appliedSlot(),
        caughtUp ? ", caught up" : ", NOT caught up yet (no live peer answered in time)");
    String resent = session.runner().resendAfterRecovery(id);
    if (resent != null) {
      out.println(resent);
    }
  }

  /**
   * ReplaceServer (R17, R21): once a server whose store was wiped or damaged runs again as a new
   * incarnation ({@code bank server --rejoin}), asks a voting server to re-admit it under its next
   * generation ({@code replaceMember}) and prints the outcome in one line. A server that is down,
   * or did not lose its state, is refused with one line and nothing changes.
   */
  private void replace(int id) {
    String name = Servers.name(id);
    ServerHandle.MemberStatus target = session.cluster().server(id).memberStatus();
    if (!target.up()) {
      out.println(name + " is down: start it on its new data directory with `bank server --id "
          + name + " --rejoin`, then ReplaceServer " + name);
      return;
    }
    if (!target.newIncarnation()) {
      out.println(name + " did not lose its state (generation " + target.generation() + ", "
          + (target.voting() ? "voting" : target.notVotingReason()) + "); ReplaceServer is for a"
          + " server restarted with --rejoin");
      return;
    }
    if (target.voting()) {
      out.println(name + " re-admitted as generation " + target.generation());
      return;
    }
    Integer voter = null;
    for (int other : Servers.IDS) {
      if (other != id && voter == null && session.cluster().server(other).memberStatus().voting()) {
        voter = other;
      }
    }
    if (voter == null) {
      out.println(name + " NOT re-admitted: no voting server answers to re-admit it");
      return;
    }
    ServerHandle.ReplaceResult r =
        session.cluster().server(voter).replaceMember(id, target.generation());
    ServerHandle.MemberStatus after = session.cluster().server(id).memberStatus();
    if (after.voting()) {
      out.println(name + " re-admitted as generation " + after.generation());
    } else if (r.ok()) {
      out.println(name + " re-admitted as generation " + r.generation() + " (chosen; " + name
          + " votes once it has learned it)");
    } else {
      out.println(name + " NOT re-admitted: " + r.reason());
    }
  }

  private void printAll() {
    List<ServerView> views = session.cluster().views();
    out.println("== Balances (PrintBalance all) ==");
    for (int id : Servers.IDS) {
      printer.balance(views.get(id - 1), id);
    }
    out.println("== Local logs and pending transfers (PrintLog all) ==");
    for (ServerView v : views) {
      printer.log(v);
    }
    out.println("== Datastores (PrintDB all) ==");
    for (ServerView v : views) {
      printer.db(v);
    }
    out.println("== Performance (Performance all) ==");
    for (ServerView v : views) {
      printer.performance(v, session.runner().setMillisTotal());
    }
    printer.clusterPerformance(views, session.runner().setMillisTotal());
    out.println("== Balance map (BalanceMap all) ==");
    printer.balanceMap(views, Servers.IDS);
  }

  private void performance(List<Integer> servers) {
    long setMillis = session.runner().setMillisTotal();
    servers.forEach(s -> printer.performance(view(s), setMillis));
    if (servers.size() > 1) {
      printer.clusterPerformance(session.cluster().views(), setMillis);
    }
  }

  private void help() {
    out.println("Commands (case does not matter; <server> is S1..S5):");
    for (Command c : Command.values()) {
      out.printf("  %-28s %s%n", c.usage(), c.help);
    }
  }

  private ServerView view(int id) {
    return session.cluster().server(id).view();
  }
}
