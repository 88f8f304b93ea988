package dev.modpaxos.bank;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A set that waits long says so on stderr and changes nothing on stdout. S1's first transfer of
 * set 1 is held (in the driver's handle, before it reaches the server, so no protocol timer runs)
 * while the test moves the progress clock on and ticks it by hand: no real time and no load
 * decides what is printed. The transcript (stdout) is then compared with a run that was not held.
 */
class SlowSetProgressTest {
  private static final String COMMANDS = "PrintBalance all\nPrintLog S1\nexit\n";
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final ExecutorService driver = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() throws Exception {
    driver.shutdownNow();
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  /** S1's handle, except that its first transfer waits at {@code gate} (after {@code held}). */
  private static ServerHandle holdFirstTransfer(ServerHandle s1, CountDownLatch held,
      CountDownLatch gate) {
    AtomicBoolean first = new AtomicBoolean(true);
    return (ServerHandle) Proxy.newProxyInstance(ServerHandle.class.getClassLoader(),
        new Class<?>[] {ServerHandle.class}, (proxy, m, args) -> {
          if (m.getName().equals("transfer") && first.getAndSet(false)) {
            held.countDown();
            assertThat(gate.await(60, TimeUnit.SECONDS)).as("the test releases the gate").isTrue();
          }
          try {
            return m.invoke(s1, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  private Cluster cluster(CountDownLatch held, CountDownLatch gate) {
    LocalBackend local = new LocalBackend();
    Cluster servers = InJvmCluster.start(local, 5, 5_000);
    List<ServerHandle> handles = new ArrayList<>();
    for (int id : Servers.IDS) {
      ServerHandle s = servers.server(id);
      handles.add(id == 1 && gate != null ? holdFirstTransfer(s, held, gate) : s);
    }
    Cluster cluster = new Cluster(handles, 5_000, "local, test");
    toClose.add(local);
    toClose.add(0, cluster);
    return cluster;
  }

  private Future<String> session(Cluster cluster, Progress progress) {
    return driver.submit(() -> {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      BankMain.runSession("test", CsvSets.parse(BankMain.readInput(null), 0), cluster, null,
          false, new ByteArrayInputStream(COMMANDS.getBytes(StandardCharsets.UTF_8)),
          new PrintStream(out, true, StandardCharsets.UTF_8), progress, 0, null, s -> {});
      return out.toString(StandardCharsets.UTF_8);
    });
  }

  @Test
  void aSetHeldOnATransferPrintsProgressToStderrAndTheSameTranscriptToStdout() throws Exception {
    String fast = session(cluster(null, null), Progress.NONE).get(60, TimeUnit.SECONDS);

    AtomicLong clock = new AtomicLong();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Progress progress = new Progress(new PrintStream(err, true, StandardCharsets.UTF_8),
        clock::get, Progress.AFTER_MILLIS, Progress.EVERY_MILLIS);
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch gate = new CountDownLatch(1);
    Future<String> slow = session(cluster(held, gate), progress);
    assertThat(held.await(60, TimeUnit.SECONDS)).as("set 1 reached S1's first transfer").isTrue();
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(1_500));
    progress.tick();
    assertThat(err.toString(StandardCharsets.UTF_8)).as("nothing while it is fast").isEmpty();
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(1_000));
    progress.tick();
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(3_000));
    progress.tick();
    gate.countDown();
    String transcript = slow.get(60, TimeUnit.SECONDS);
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(10_000));
    progress.tick();

    assertThat(err.toString(StandardCharsets.UTF_8).lines()).containsExactly(
        "bank: set 1 still running (2 s): S1 executes (S1, S3, 45), running a round if it is short"
            + " (2 s so far)",
        "bank: set 1 still running (5 s): S1 executes (S1, S3, 45), running a round if it is short"
            + " (5 s so far)");
    assertThat(transcript).contains("S1: 30").doesNotContain("still running");
    assertThat(ReadmeTranscriptTest.masked(transcript))
        .isEqualTo(ReadmeTranscriptTest.masked(fast));
  }
}
