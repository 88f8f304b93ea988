package dev.modpaxos.storage.chronicle;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;

/** Starts a child JVM of the test's class path with Chronicle's flags, for the real-process tests. */
final class ChildJvm {
  private ChildJvm() {}

  /**
   * Starts {@code main} with {@code args}, its stderr to {@code stderr}; a daemon thread adds each
   * line it prints to {@code lines}, then {@code endLine} once its output ends (it exited or was
   * killed).
   */
  static Process start(Class<?> main, List<String> args, Path stderr, BlockingQueue<String> lines,
      String endLine) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse(
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle.")) {
        command.add(arg);
      }
    }
    command.addAll(List.of("-Dchronicle.analytics.disable=true", "-Xmx256m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(args);
    Process child = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          lines.add(line);
        }
      } catch (IOException ignored) {
        // The child was killed.
      }
      lines.add(endLine);
    }, main.getSimpleName() + "-stdout");
    reader.setDaemon(true);
    reader.start();
    return child;
  }
}
