package dev.modpaxos.storage.chronicle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ChronicleStore names the JVM flags it lacks instead of failing deep inside Chronicle Map. */
class JvmFlagsTest {
  @TempDir Path dir;

  @Test
  void thisJvmHasEveryFlagItNeeds() {
    // Surefire passes ${chronicle.jvm.flags}: nothing is missing, so the stores of the other tests open.
    assertThat(JvmFlags.missing()).isEmpty();
  }

  @Test
  void aJvmWithoutTheFlagsIsRefusedWithTheMissingFlagsNamedAndNothingCreated() throws Exception {
    Path storeDir = dir.resolve("store");
    List<String> out = runWithoutFlags(storeDir, List.of());

    assertThat(out).hasSize(2);
    assertThat(out.get(0)).startsWith("REFUSED ChronicleStore needs JVM flags this JVM was started"
        + " without (Chronicle Map on Java 17, see docs/STORAGE.md): ");
    assertThat(out.get(0)).contains(
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
        "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
        "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-opens=java.base/java.io=ALL-UNNAMED",
        "--add-opens=java.base/java.util=ALL-UNNAMED");
    assertThat(out.get(1)).isEqualTo("CREATED false");
  }

  @Test
  void onlyTheMissingFlagsAreNamed() throws Exception {
    List<String> all = new ArrayList<>(flagsOfThisJvm());
    all.remove("--add-opens=java.base/java.io=ALL-UNNAMED");
    List<String> out = runWithoutFlags(dir.resolve("store"), all);

    assertThat(out.get(0)).endsWith("see docs/STORAGE.md): --add-opens=java.base/java.io=ALL-UNNAMED");
  }

  private static List<String> flagsOfThisJvm() {
    List<String> flags = new ArrayList<>();
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-")) {
        flags.add(arg);
      }
    }
    assertThat(flags).as("this JVM's Chronicle flags").hasSize(9);
    return flags;
  }

  /** Runs {@link NoJvmFlagsMain} in a child JVM with only {@code flags}; its stdout lines. */
  private List<String> runWithoutFlags(Path storeDir, List<String> flags)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse(
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(flags);
    command.addAll(List.of("-Dchronicle.analytics.disable=true", "-Xmx64m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        NoJvmFlagsMain.class.getName(), storeDir.toString()));
    Path stdout = dir.resolve("child.out");
    Path stderr = dir.resolve("child.err");
    Process p = new ProcessBuilder(command)
        .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the child JVM did not exit within 60 s; stderr in " + stderr);
    }
    assertThat(p.exitValue()).as("exit code; stderr in %s", stderr).isZero();
    return Files.readAllLines(stdout, StandardCharsets.UTF_8);
  }
}
