package dev.modpaxos.bank.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * The driver's handle on one server JVM ({@link ChaosServerMain}): starts it, sends it commands,
 * matches replies to requests, and injects process faults (kill -9, SIGSTOP, SIGCONT). A reply
 * that arrives after its request timed out goes to the late-reply listener. Thread-safe.
 */
final class ServerProcess {
  private static final AtomicLong REQUESTS = new AtomicLong();

  final int id;
  private final String ports;
  private final Path dataDir;
  private final Path logFile;
  private final boolean skipPersist;
  private final BiConsumer<Long, String> lateReplies;
  private final Map<Long, CompletableFuture<String>> waiting = new ConcurrentHashMap<>();
  private volatile Process process;
  private volatile Writer stdin;
  private volatile boolean paused;
  // Incremented at every start: a request sent to one incarnation is never answered by the next.
  private volatile int incarnation;

  ServerProcess(int id, String ports, Path runDir, boolean skipPersist,
      BiConsumer<Long, String> lateReplies) {
    this.id = id;
    this.ports = ports;
    this.dataDir = runDir.resolve("S" + id);
    this.logFile = runDir.resolve("S" + id + ".log");
    this.skipPersist = skipPersist;
    this.lateReplies = lateReplies;
  }

  /** Starts the JVM and waits (up to {@code timeoutMillis}) until it serves. */
  synchronized void start(long timeoutMillis) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle.")) {
        cmd.add(arg);
      }
    }
    cmd.addAll(List.of("-Dchronicle.analytics.disable=true", "-Xmx192m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-Xss512k", "-Dbank.test.log=INFO",
        "-cp", System.getProperty("java.class.path"),
        ChaosServerMain.class.getName(), String.valueOf(id), ports, dataDir.toString()));
    if (skipPersist) {
      cmd.add("skip-persist");
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    CompletableFuture<String> started = new CompletableFuture<>();
    waiting.put(0L, started);
    process = p;
    incarnation++;
    paused = false;
    stdin = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> readReplies(p), "chaos-replies-S" + id);
    reader.setDaemon(true);
    reader.start();
    try {
      started.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IOException("S" + id + " did not start in " + timeoutMillis + " ms (see "
          + logFile + ")", e);
    }
  }

  private void readReplies(Process p) {
    try (BufferedReader r = new BufferedReader(
            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Writer log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      log.write("---- S" + id + " started, pid " + p.pid() + "\n");
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (!line.startsWith("@ ")) {
          log.write(line + "\n"); // its log (stdout and stderr)
          continue;
        }
        int space = line.indexOf(' ', 2);
        long request = Long.parseLong(space < 0 ? line.substring(2) : line.substring(2, space));
        String answer = space < 0 ? "" : line.substring(space + 1);
        CompletableFuture<String> f = waiting.remove(request);
        if (f != null) {
          f.complete(answer);
        } else {
          lateReplies.accept(request, answer);
        }
      }
    } catch (IOException | RuntimeException e) {
      // the process died
    }
  }

  boolean isAlive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  int incarnation() {
    return incarnation;
  }

  boolean isPaused() {
    return paused;
  }

  /** A fresh request id, unique across servers; the caller records it before sending. */
  static long nextRequest() {
    return REQUESTS.incrementAndGet();
  }

  /**
   * Sends {@code command} with request id {@code request} and waits up to {@code timeoutMillis}
   * for the answer. Returns null on timeout (the answer may still come, late); throws {@link
   * IOException} if the process is not running, so the command was never delivered.
   */
  String call(long request, String command, long timeoutMillis) throws IOException {
    CompletableFuture<String> f = new CompletableFuture<>();
    waiting.put(request, f);
    try {
      send(command.replace("{req}", String.valueOf(request)));
    } catch (IOException e) {
      waiting.remove(request);
      throw e;
    }
    try {
      return f.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (Exception e) {
      return null;
    } finally {
      waiting.remove(request);
    }
  }

  /** Sends an admin command that has no answer. */
  void send(String command) throws IOException {
    Writer w = stdin;
    if (!isAlive() || w == null) {
      throw new IOException("S" + id + " is not running");
    }
    synchronized (this) {
      w.write(command + "\n");
      w.flush();
    }
  }

  /** kill -9. */
  void kill() {
    Process p = process;
    if (p != null) {
      p.destroyForcibly();
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    paused = false;
  }

  /** SIGSTOP (true) or SIGCONT (false). */
  void pause(boolean stop) throws IOException, InterruptedException {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return;
    }
    new ProcessBuilder("kill", stop ? "-STOP" : "-CONT", String.valueOf(p.pid()))
        .inheritIO().start().waitFor(5, TimeUnit.SECONDS);
    paused = stop;
  }

  Path logFile() {
    return logFile;
  }
}
