package dev.modpaxos.bank;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line of a bank JVM that a real-process test starts from the test classpath. */
final class BankJvm {
  private BankJvm() {}

  /**
   * {@code java <Chronicle flags> ... BankMain <bankArgs>}, with {@code -Xmx} {@code heap}, logs
   * in {@code logDir} and the shipped logging (not the test classpath's logback-test.xml).
   */
  static List<String> command(String heap, Path logDir, String... bankArgs) {
    return command(BankMain.class, heap, logDir, bankArgs);
  }

  /** As above, with {@code main} as the main class (a test's own child JVM). */
  static List<String> command(Class<?> main, String heap, Path logDir, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx" + heap);
    cmd.addAll(List.of(System.getProperty("bank.test.jvmFlags", "").split(" ")));
    cmd.addAll(List.of("-Dchronicle.analytics.disable=true", "-Dbank.log.dir=" + logDir,
        "-Dlogback.configurationFile="
            + Path.of("src/main/resources/logback.xml").toAbsolutePath(),
        "-cp", System.getProperty("java.class.path"), main.getName()));
    cmd.addAll(List.of(args));
    cmd.removeIf(String::isEmpty);
    return cmd;
  }
}
