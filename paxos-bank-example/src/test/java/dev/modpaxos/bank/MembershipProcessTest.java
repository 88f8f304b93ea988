package dev.modpaxos.bank;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Membership changes (docs/PROTOCOL.md R21) with real processes: five child JVMs ({@link
 * MemberProcess}), each a node over gRPC on 127.0.0.1 with a Chronicle store. A cluster founded
 * by nodes 1-3 grows to five (nodes 4 and 5 start as joiners and are added with {@code
 * addMember}), node 2 is removed, node 3 is killed with kill -9, its data directory deleted and
 * the node re-admitted on the empty directory ({@code --rejoin}'s path, then {@code
 * replaceMember}), and the leadership is transferred; entries are submitted all along. At the end
 * every entry acknowledged as chosen is applied exactly once on every current member, and the
 * members applied the same sequence.
 *
 * <p>Bounded by count (at most {@link #SUBMITS_MAX} entries, one every {@link #SUBMIT_EVERY_MILLIS}
 * ms, and never more than {@link #UNANSWERED_MAX} unanswered, so a slow machine submits more
 * slowly instead of running out of entries before the last step) and time (each step polls for its condition within {@link #STEP_SECONDS} s; the whole test
 * within its timeout). Nothing asserts how long anything took.
 */
class MembershipProcessTest {
  private static final int SUBMITS_MAX = 20_000;
  // Entries sent but neither chosen nor refused yet; one sent to a node that then died is never
  // answered, so after a second without an answer the submitter sends anyway.
  private static final int UNANSWERED_MAX = 100;
  private static final long SUBMIT_EVERY_MILLIS = 10;
  private static final long STEP_SECONDS = 45;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir; // a failed run keeps its logs
  private final Map<Integer, Member> members = new ConcurrentHashMap<>();
  // Processes outside members (a refused start), also stopped at the end.
  private final List<Process> others = new CopyOnWriteArrayList<>();
  private final Set<Long> chosen = ConcurrentHashMap.newKeySet();
  private final AtomicInteger notChosen = new AtomicInteger();
  private final AtomicInteger tags = new AtomicInteger();
  // The nodes the submitter sends entries to (voters only).
  private final List<Integer> submitTo = new CopyOnWriteArrayList<>();
  private volatile boolean submitting = true;
  private String addresses;

  /** One child JVM: its stdin, and the answers its stdout gave by tag. */
  private final class Member {
    final int id;
    final Process process;
    final Writer stdin;
    final Path stderr;
    final CompletableFuture<String> ready = new CompletableFuture<>();
    final Map<String, CompletableFuture<String>> answers = new ConcurrentHashMap<>();

    Member(int id, String mode) throws IOException {
      this.id = id;
      this.stderr = dir.resolve("node-" + id + "-" + System.nanoTime() + ".err");
      List<String> cmd = BankJvm.command(MemberProcess.class, "160m", dir, String.valueOf(id),
          "1,2,3", dir.resolve("n" + id).toString(), mode, addresses);
      cmd.addAll(1, List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
          "-Dbank.log.prefix=N" + id + "_", "-Dbank.node=N" + id + " "));
      this.process = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
      this.stdin = new java.io.OutputStreamWriter(process.getOutputStream(),
          StandardCharsets.UTF_8);
      Thread reader = new Thread(this::read, "member-" + id + "-stdout");
      reader.setDaemon(true);
      reader.start();
    }

    private void read() {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          String[] p = line.split(" ", 3);
          switch (p[0]) {
            case "ready" -> ready.complete(line);
            case "refused" -> ready.complete(line);
            case "chosen" -> chosen.add(Long.parseLong(p[1]));
            case "notchosen" -> notChosen.incrementAndGet();
            default -> answer(p[1]).complete(line);
          }
        }
      } catch (IOException | RuntimeException e) {
        // the process ended
      }
      ready.complete("exited");
    }

    CompletableFuture<String> answer(String tag) {
      return answers.computeIfAbsent(tag, t -> new CompletableFuture<>());
    }

    synchronized boolean send(String line) {
      try {
        stdin.write(line + "\n");
        stdin.flush();
        return true;
      } catch (IOException e) {
        return false; // it was killed
      }
    }

    /** Sends {@code command} with a fresh tag; returns the answer's future. */
    CompletableFuture<String> ask(String command) {
      String tag = "t" + tags.incrementAndGet();
      CompletableFuture<String> f = answer(tag);
      int space = command.indexOf(' ');
      send(space < 0 ? command + " " + tag
          : command.substring(0, space) + " " + tag + command.substring(space));
      return f;
    }

    String await(CompletableFuture<String> f, String what) throws Exception {
      try {
        return f.get(STEP_SECONDS, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new AssertionError("node " + id + ": no answer to " + what + " in " + STEP_SECONDS
            + " s; see " + stderr + " and " + dir, e);
      }
    }

    /** {@code status}: [voting, leader, committed, reason]. */
    String[] status() throws Exception {
      return await(ask("status"), "status").split(" ", 6);
    }

    void kill() throws InterruptedException {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @AfterEach
  void stop() throws InterruptedException {
    submitting = false;
    others.forEach(Process::destroyForcibly);
    for (Member m : members.values()) {
      m.process.destroyForcibly();
    }
    for (Member m : members.values()) {
      m.process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private Member start(int id, String mode) throws Exception {
    Member m = new Member(id, mode);
    members.put(id, m);
    String line = m.await(m.ready, "start");
    assertThat(line).as("node %d started (%s); see %s", id, mode, m.stderr).startsWith("ready");
    return m;
  }

  /** Runs {@code op} on node {@code on}; returns the configuration it completed with. */
  private String op(int on, String op, int target) throws Exception {
    String answer = members.get(on).await(members.get(on).ask("op " + op + " " + target), op);
    assertThat(answer).as("%s %d on node %d", op, target, on).startsWith("opdone");
    return answer;
  }

  /** Polls node {@code id}'s status until {@code ok} holds; returns the last status. */
  private String[] awaitStatus(int id, java.util.function.Predicate<String[]> ok, String what)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STEP_SECONDS);
    String[] s = members.get(id).status();
    while (!ok.test(s)) {
      assertThat(System.nanoTime()).as("node %d: %s; last status %s", id, what,
          String.join(" ", s)).isLessThan(deadline);
      Thread.sleep(100);
      s = members.get(id).status();
    }
    return s;
  }

  private static boolean voting(String[] status) {
    return status[2].equals("true");
  }

  /** Waits until {@code more} entries beyond now were acknowledged as chosen. */
  private void awaitProgress(int more, String when) throws Exception {
    int target = chosen.size() + more;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STEP_SECONDS);
    while (chosen.size() < target) {
      assertThat(System.nanoTime()).as("%d more entries chosen %s (have %d, %d not chosen)",
          more, when, chosen.size(), notChosen.get()).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private Thread submitter() {
    Thread t = new Thread(() -> {
      for (long n = 1; n <= SUBMITS_MAX && submitting; n++) {
        long quietUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (submitting && n - 1 - chosen.size() - notChosen.get() > UNANSWERED_MAX
            && System.nanoTime() < quietUntil) {
          try {
            Thread.sleep(SUBMIT_EVERY_MILLIS);
          } catch (InterruptedException e) {
            return;
          }
        }
        List<Integer> to = List.copyOf(submitTo);
        if (!to.isEmpty()) {
          members.get(to.get((int) (n % to.size()))).send("submit " + n);
        }
        try {
          Thread.sleep(SUBMIT_EVERY_MILLIS);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "submitter");
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Test
  @Timeout(value = 110, unit = TimeUnit.SECONDS)
  void growRemoveWipeAndTransferLoseNoAcknowledgedEntry() throws Exception {
    List<Integer> ports = Ports.free(5);
    List<String> a = new ArrayList<>();
    for (int id = 1; id <= 5; id++) {
      a.add(id + "=127.0.0.1:" + ports.get(id - 1));
    }
    addresses = String.join(",", a);
    for (int id = 1; id <= 3; id++) {
      new Thread(startQuietly(id, "bootstrap")).start();
    }
    start(4, "join");
    start(5, "join");
    for (int id = 1; id <= 3; id++) {
      awaitStarted(id);
    }
    submitTo.addAll(List.of(1, 2, 3));
    Thread submitter = submitter();
    awaitProgress(20, "by the founding three");
    assertThat(members.get(4).status()[5]).as("a joiner says why it does not vote")
        .contains("joining");

    // Grow to five: each joiner is added as a learner, catches up, then is promoted.
    for (int id = 4; id <= 5; id++) {
      assertThat(op(1, "addMember", id)).containsPattern("voters \\{[^}]* " + id + "=\\d");
      int joined = id;
      awaitStatus(id, MembershipProcessTest::voting, "votes after addMember");
      submitTo.add(joined);
      awaitProgress(20, "after adding node " + id);
    }

    // Remove node 2: it stops voting and says why.
    submitTo.remove(Integer.valueOf(2));
    assertThat(op(1, "removeMember", 2)).doesNotContain("2=1,").contains("removed {2=1}");
    String[] removed = awaitStatus(2, s -> !voting(s), "stops voting once removed");
    assertThat(removed[5]).contains("removed");
    members.get(2).kill();
    awaitProgress(20, "after removing node 2");

    // Wipe node 3: kill -9, delete its directory; a plain restart is refused, a rejoin is
    // re-admitted as generation 2 through replaceMember.
    submitTo.remove(Integer.valueOf(3));
    members.get(3).kill();
    deleteRecursively(dir.resolve("n3"));
    Member refused = new Member(3, "restart");
    others.add(refused.process);
    assertThat(refused.await(refused.ready, "start")).startsWith("refused")
        .contains("is empty").contains("--rejoin");
    assertThat(refused.process.waitFor(STEP_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThat(refused.process.exitValue()).isEqualTo(2);
    CompletableFuture<String> replaced = members.get(1).ask("op replaceMember 3");
    start(3, "rejoin");
    String readmitted = members.get(1).await(replaced, "replaceMember 3");
    // The call was made before node 3's JVM started; on a loaded machine that start can outlast
    // the call's bound (30 round timeouts), which then fails saying the change may still take
    // effect. Either way node 3 must come to vote, which a wiped node does only once re-admitted
    // under a new generation (R16, R17): a timeout is a liveness knob, not the outcome.
    if (readmitted.startsWith("opdone")) {
      assertThat(readmitted).as("replaceMember 3").contains("3=2");
    } else {
      assertThat(readmitted).as("replaceMember 3").startsWith("opfailed")
          .contains("may still take effect");
    }
    awaitStatus(3, MembershipProcessTest::voting, "votes after its re-admission");
    submitTo.add(3);
    awaitProgress(20, "after re-admitting node 3");

    // Transfer the leadership to another voter.
    String[] s1 = awaitStatus(1, s -> !s[3].equals("0"), "knows a leader");
    int leader = Integer.parseInt(s1[3]);
    int to = leader == 5 ? 4 : 5;
    op(leader, "transferLeadership", to);
    awaitStatus(to, s -> s[3].equals(String.valueOf(to)), "leads after the transfer");
    awaitProgress(20, "after the transfer to node " + to);

    submitting = false;
    submitter.join(10_000);
    checkEveryMemberHasEveryChosenEntry(List.of(1, 3, 4, 5));
  }

  /** Every current member applies every acknowledged entry once, in one common order. */
  private void checkEveryMemberHasEveryChosenEntry(List<Integer> voters) throws Exception {
    Set<Long> acknowledged = new HashSet<>(chosen);
    Map<Integer, List<Long>> applied = new TreeMap<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STEP_SECONDS);
    for (int id : voters) {
      List<Long> list = entries(id);
      while (!list.containsAll(acknowledged) && System.nanoTime() < deadline) {
        Thread.sleep(100);
        list = entries(id);
      }
      Set<Long> missing = new HashSet<>(acknowledged);
      list.forEach(missing::remove);
      assertThat(missing).as("acknowledged entries node %d lacks", id).isEmpty();
      assertThat(new HashSet<>(list)).as("node %d applies each entry once", id)
          .hasSize(list.size());
      applied.put(id, list);
    }
    List<Long> longest = applied.values().stream().max(Comparator.comparingInt(List::size))
        .orElseThrow();
    for (Map.Entry<Integer, List<Long>> e : applied.entrySet()) {
      assertThat(longest.subList(0, e.getValue().size())).as("node %d's order", e.getKey())
          .isEqualTo(e.getValue());
    }
    assertThat(acknowledged.size()).as("entries acknowledged").isGreaterThanOrEqualTo(100);
    System.out.printf("membership: %d entries acknowledged, all on voters %s; %d not chosen%n",
        acknowledged.size(), voters, notChosen.get());
  }

  private List<Long> entries(int id) throws Exception {
    String[] p = members.get(id).await(members.get(id).ask("entries"), "entries").split(" ");
    List<Long> list = new ArrayList<>();
    if (p.length > 2 && !p[2].equals("-")) {
      for (String n : p[2].split(",")) {
        list.add(Long.parseLong(n));
      }
    }
    return list;
  }

  private final Map<Integer, CompletableFuture<Void>> started = new ConcurrentHashMap<>();

  private Runnable startQuietly(int id, String mode) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    started.put(id, f);
    return () -> {
      try {
        start(id, mode);
        f.complete(null);
      } catch (Throwable e) {
        f.completeExceptionally(e);
      }
    };
  }

  private void awaitStarted(int id) throws Exception {
    try {
      started.get(id).get(2 * STEP_SECONDS, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError("node " + id + " did not start", e.getCause());
    }
  }

  private static void deleteRecursively(Path p) throws IOException {
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path f : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }
}
