package dev.modpaxos.bank.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The chaos run under JUnit with a bounded budget: {@code -Dchaos.minutes=N} (default 1),
 * {@code -Dchaos.seed=S} (default: the clock, printed), and {@code -Dchaos.broken=MODE} (skip-persist,
 * skip-chosen or fresh-voter, see BrokenChaosServer) for a deliberately broken build, where the
 * run must report violations instead. The run's directory (history.tsv, server logs, data) is
 * under target/chaos/. The last line printed is the summary, {@code chaos ops=N ok=K failed=F
 * unknown=U kills=X partitions=P pauses=Q netfaults=N diskfaults=M unknown_executed=E unknown_lost=L
 * violations=V}.
 */
class ChaosTest {
  @Test
  void chaosRunKeepsEveryInvariant() throws Exception {
    double minutes = Double.parseDouble(System.getProperty("chaos.minutes", "1"));
    long seed = Long.getLong("chaos.seed", System.currentTimeMillis());
    String mode = System.getProperty("chaos.broken");
    boolean broken = mode != null;
    if (broken && !java.util.List.of("skip-persist", "skip-chosen", "fresh-voter")
        .contains(mode)) {
      throw new IllegalArgumentException("-Dchaos.broken must be skip-persist, skip-chosen or"
          + " fresh-voter, not " + mode);
    }
    Path dir = Path.of("target", "chaos", "seed-" + seed + (broken ? "-" + mode : ""));
    System.out.println("chaos seed=" + seed + " minutes=" + minutes + " dir=" + dir
        + (broken ? " BROKEN BUILD (" + mode + ")" : ""));
    DiskFaults.unmountAll(dir); // a run that was stopped leaves its tmpfs mounts
    deleteRecursively(dir); // a re-run of the same seed starts from fresh stores
    ChaosDriver.Result r = ChaosDriver.run(seed, minutes, dir, mode);
    r.violations().stream().limit(20).forEach(v -> System.out.println("violation: " + v));
    System.out.println(r.line());
    if (broken) {
      assertThat(r.violations()).as("the broken build must be caught").isNotEmpty();
    } else {
      assertThat(r.violations()).as("violations, seed %d, see %s", seed, dir).isEmpty();
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
