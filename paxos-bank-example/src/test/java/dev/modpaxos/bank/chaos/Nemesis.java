package dev.modpaxos.bank.chaos;

import dev.modpaxos.bank.admin.FaultsRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Injects one fault at a time at seeded random times, holds it, and undoes it: kill -9 and restart
 * (the current leader in 40% of the cases), disconnect one or two servers (a minority) or three (a
 * majority: no quorum anywhere) through the bank's admin RPC, SIGSTOP/SIGCONT a server; through
 * the admin call SetFaults ({@code bank server --fault-injection}), two-sided and one-way
 * partitions, lossy links (loss, duplicates, delay and so reordering), failed syncs and slow
 * syncs; and the disk and process faults: wipe a server's directory, corrupt a chosen record,
 * fill its disk, kill all five, and pause one past the transport's keepalive
 * (docs/RELIABILITY.md). Every step goes into the history as a fault line; a fault's own check
 * that fails is a breach line. Every random choice of a fault is drawn before it is injected,
 * whatever the servers answer, so a seed replays the same schedule.
 */
final class Nemesis {
  private static final long START_TIMEOUT_MILLIS = 90_000;
  // A wiped or damaged server is re-admitted within this, or the fault reports a breach.
  private static final long READMISSION_TIMEOUT_MILLIS = 60_000;
  // The budget a slow fault (a restart with re-admission, or of all five) needs beyond its hold.
  private static final long SLOW_FAULT_MILLIS = 20_000;
  // The servers' GrpcTransport keepalive: 30 s of quiet, then a ping answered within 20 s.
  static final long KEEPALIVE_MILLIS = 30_000 + 20_000;
  private final ChaosDriver driver;
  private final Random random;
  // True if every server's data directory is a tmpfs of its own (diskfull needs it).
  private final boolean tmpfs;

  Nemesis(ChaosDriver driver, Random random, boolean tmpfs) {
    this.driver = driver;
    this.random = random;
    this.tmpfs = tmpfs;
  }

  /** Injects faults until {@code deadline} (System.nanoTime()). */
  void run(long deadline) throws InterruptedException {
    while (true) {
      long pauseMillis = 1_000 + random.nextInt(3_000);
      long holdMillis = 1_000 + random.nextInt(4_000);
      int kind = random.nextInt(100);
      long faultSeed = random.nextLong(); // the disk and process faults' own choices
      // One pick in five also pauses a server (1..5) for the same hold, overlapping the main
      // fault when that is a disconnect or a network fault other than syncfail (which kills).
      int overlap = random.nextInt(5) == 0 ? 1 + random.nextInt(5) : 0;
      if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pauseMillis + holdMillis) > deadline) {
        ChaosDriver.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        return;
      }
      ChaosDriver.sleep(pauseMillis);
      // Shares: kill 12, minority 7, majority 3, pause 8; disk and process faults 28 (wipe 6,
      // corrupt 6, diskfull 6, killall 5, longpause 5); network and sync faults 42 (split 8,
      // oneway 8, lossy 8, syncfail 8, slowsync 10).
      int disk = kind < 30 || kind >= 58 ? -1
          : kind < 36 ? 40 : kind < 42 ? 48 : kind < 48 ? 56 : kind < 53 ? 64 : 68;
      if (disk >= 0 && !fits(disk, holdMillis, deadline)) {
        disk = -1;
        kind = 22; // a slow fault that does not fit the budget left is an ordinary pause
      }
      boolean overlaps = overlap > 0 && disk < 0
          && (kind >= 12 && kind < 22 || kind >= 58 && (kind < 82 || kind >= 90));
      Thread background = overlaps ? overlapPause(driver.servers.get(overlap - 1), holdMillis)
          : null;
      if (kind < 12) {
        kill(target(), holdMillis);
      } else if (kind < 19) {
        disconnect(pick(1 + random.nextInt(2)), "minority", holdMillis);
      } else if (kind < 22) {
        disconnect(pick(3), "majority", holdMillis);
      } else if (kind < 30) {
        pause(target(), holdMillis);
      } else if (disk >= 0) {
        diskOrProcessFault(disk, target(), holdMillis, new Random(faultSeed));
      } else {
        networkOrSyncFault(
            kind < 66 ? 55 : kind < 74 ? 65 : kind < 82 ? 75 : kind < 90 ? 85 : 92, holdMillis);
      }
      if (background != null) {
        background.join();
      }
    }
  }

  // ---- the disk and process faults (issue 16) -----------------------------------------------

  /** Whether fault {@code kind} (40..71) fits the budget left before {@code deadline}. */
  private static boolean fits(int kind, long holdMillis, long deadline) {
    long need = kind >= 68 ? longPauseMillis(holdMillis) : holdMillis + SLOW_FAULT_MILLIS;
    return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(need) <= deadline;
  }

  /** The hold of a long pause: past the keepalive by 5 to 9 s. */
  private static long longPauseMillis(long holdMillis) {
    return KEEPALIVE_MILLIS + 4_000 + holdMillis;
  }

  /**
   * Kinds 40..71: wipe 40..47, corrupt 48..55, diskfull 56..63, killall 64..67, longpause
   * 68..71. Each draws what it needs from {@code own}, so the nemesis's own draws stay the same
   * whatever a fault finds.
   */
  private void diskOrProcessFault(int kind, ServerProcess s, long holdMillis, Random own)
      throws InterruptedException {
    try {
      if (kind < 48) {
        wipe(s, holdMillis);
      } else if (kind < 56) {
        corrupt(s, holdMillis, own);
      } else if (kind < 64) {
        diskFull(s, holdMillis);
      } else if (kind < 68) {
        killAll(holdMillis);
      } else {
        longPause(s, longPauseMillis(holdMillis));
      }
    } catch (IOException e) {
      driver.history.note("fault on S" + s.id + " failed: " + e);
    }
  }

  /**
   * kill -9, delete the data directory, start with --rejoin: the server must come back as a
   * learner, execute nothing while it awaits re-admission, and be re-admitted. Only when every
   * server votes, so at most one member at a time awaits re-admission.
   */
  private void wipe(ServerProcess s, long holdMillis) throws IOException {
    if (!allVote("wipe")) {
      return;
    }
    int generation = generation(s);
    driver.history.fault("wipe", "S" + s.id + (s.id == driver.leader ? " (leader)" : "")
        + " generation " + generation);
    s.kill();
    DiskFaults.deleteContents(s.dataDir());
    ChaosDriver.sleep(holdMillis);
    s.start(START_TIMEOUT_MILLIS, true);
    driver.history.fault("restart", "S" + s.id + " --rejoin");
    var m = s.member();
    if (m != null && m.getVoting()) {
      driver.history.breach("S" + s.id + " votes at once on an empty data directory (generation "
          + m.getGeneration() + ")");
      return;
    }
    int to = s.id % 5 + 1;
    String answer = driver.probe(s, to, 1, "wipe: S" + s.id + " awaits re-admission");
    var after = s.member();
    if (answer != null && answer.startsWith("EXECUTED") && after != null && !after.getVoting()) {
      driver.history.breach("S" + s.id + " executed a transfer while a learner awaiting"
          + " re-admission: " + answer);
    }
    awaitReadmission(s, generation);
  }

  /**
   * kill -9, flip a few bytes inside the payload of one chosen record of one of its chosen-block
   * files (found by the record's own format and checksum), restart: the store reports the damage,
   * so the start without --rejoin is refused and the server rejoins as a new incarnation.
   */
  private void corrupt(ServerProcess s, long holdMillis, Random own) throws IOException {
    if (!allVote("corrupt")) {
      return;
    }
    int generation = generation(s);
    s.kill();
    List<java.nio.file.Path> files = DiskFaults.chosenFiles(s.dataDir());
    String what = "no chosen record found";
    if (!files.isEmpty()) {
      java.nio.file.Path file = files.get(own.nextInt(files.size()));
      List<long[]> records = DiskFaults.chosenRecords(file);
      if (!records.isEmpty()) {
        long[] r = records.get(own.nextInt(records.size()));
        int n = (int) Math.min(3, r[1]);
        DiskFaults.flip(file, r[0], n);
        what = n + " bytes of slot " + r[2] + "'s first payload in " + file.getFileName()
            + " at offset " + r[0] + " (" + records.size() + " records found)";
      }
    }
    driver.history.fault("corrupt", "S" + s.id + ": " + what);
    ChaosDriver.sleep(holdMillis);
    restart(s, generation);
  }

  /**
   * Fills the server's tmpfs with a filler file, holds, deletes it; if its node stopped, kill -9
   * and restart. Skipped (a note) when the data directories are not tmpfs mounts.
   */
  private void diskFull(ServerProcess s, long holdMillis) throws IOException {
    if (!tmpfs) {
      driver.history.note("diskfull skipped: the data directories are not tmpfs mounts");
      return;
    }
    if (!allVote("diskfull")) {
      return;
    }
    int generation = generation(s);
    driver.history.fault("diskfull", "S" + s.id);
    long bytes = DiskFaults.fill(s.dataDir());
    driver.history.note("S" + s.id + "'s disk is full after " + bytes + " filler bytes");
    ChaosDriver.sleep(holdMillis);
    java.nio.file.Files.deleteIfExists(s.dataDir().resolve(DiskFaults.FILLER));
    var st = s.status();
    driver.history.fault("diskfree", "S" + s.id + (st == null ? " (no status)"
        : st.getUp() ? " (up)" : " (its node stopped)"));
    if (!s.isAlive() || st == null || !st.getUp()) {
      s.kill();
      restart(s, generation);
    }
  }

  /** kill -9 of all five servers at once, then all restart. */
  private void killAll(long holdMillis) {
    driver.history.fault("killall", "S1..S5" + " (leader S" + driver.leader + ")");
    driver.servers.forEach(ServerProcess::kill);
    ChaosDriver.sleep(holdMillis);
    driver.startAll(this::restartChecked);
    driver.history.fault("restartall", "S1..S5");
  }

  /** SIGSTOP for longer than the keepalive, then SIGCONT. */
  private void longPause(ServerProcess s, long holdMillis) throws InterruptedException {
    try {
      s.pause(true);
      driver.history.fault("longpause", "S" + s.id + (s.id == driver.leader ? " (leader)" : "")
          + " for " + holdMillis + " ms");
      ChaosDriver.sleep(holdMillis);
      s.pause(false);
      driver.history.fault("longresume", "S" + s.id);
    } catch (IOException e) {
      driver.history.note("long pause of S" + s.id + " failed: " + e.getMessage());
    }
  }

  /** The server's generation (admin Member), 0 if it does not answer. */
  private static int generation(ServerProcess s) {
    var m = s.member();
    return m == null ? 0 : m.getGeneration();
  }

  /** True if every server is up and votes (admin Member); else a note that {@code what} waits. */
  private boolean allVote(String what) {
    for (ServerProcess s : driver.servers) {
      var m = s.isAlive() ? s.member() : null;
      if (m == null || !m.getVoting()) {
        driver.history.note(what + " skipped: S" + s.id + " does not vote"
            + (m == null ? " (no answer)" : ": " + m.getNotVotingReason()));
        return false;
      }
    }
    return true;
  }

  /**
   * Starts a server; a start its store refuses (it reports lost state) is noted and made with
   * --rejoin, then the server must be re-admitted above {@code generation}, its generation before.
   */
  private void restart(ServerProcess s, int generation) throws IOException {
    try {
      s.start(START_TIMEOUT_MILLIS);
      driver.history.fault("restart", "S" + s.id);
    } catch (ServerProcess.RefusedStart refused) {
      driver.history.note(refused.getMessage());
      s.start(START_TIMEOUT_MILLIS, true);
      driver.history.fault("restart", "S" + s.id + " --rejoin");
      awaitReadmission(s, generation);
    }
  }

  /** A start after a plain kill -9: a store that refuses to start then is a breach. */
  private void restartChecked(ServerProcess s) throws IOException {
    try {
      s.start(START_TIMEOUT_MILLIS);
    } catch (ServerProcess.RefusedStart refused) {
      driver.history.breach("after a kill -9 only: " + refused.getMessage());
      s.start(START_TIMEOUT_MILLIS, true);
    }
  }

  /**
   * Waits until {@code s} votes again; a breach if it is not re-admitted in time, or if it votes
   * under a generation not above {@code generation}, the one it had before it lost its state.
   */
  private void awaitReadmission(ServerProcess s, int generation) {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READMISSION_TIMEOUT_MILLIS);
    while (System.nanoTime() < until) {
      var m = s.member();
      if (m != null && m.getVoting()) {
        driver.history.fault("readmitted", "S" + s.id + " generation " + m.getGeneration());
        if (m.getGeneration() <= generation) {
          driver.history.breach("S" + s.id + " votes again under generation " + m.getGeneration()
              + " after it lost its state (it had generation " + generation + ")");
        }
        return;
      }
      ChaosDriver.sleep(200);
    }
    driver.history.breach("S" + s.id + " was not re-admitted within " + READMISSION_TIMEOUT_MILLIS
        + " ms");
  }

  /** Undoes everything: resumes paused servers, restarts dead ones, heals the network. */
  void healAll() {
    for (ServerProcess s : driver.servers) {
      try {
        if (s.isPaused()) {
          s.pause(false);
          driver.history.fault("resume", "S" + s.id);
        }
        if (!s.isAlive()) {
          s.start(START_TIMEOUT_MILLIS);
          driver.history.fault("restart", "S" + s.id);
        }
      } catch (IOException | InterruptedException e) {
        driver.history.note("healing S" + s.id + " failed: " + e);
      }
    }
    setConnected(driver.servers, true);
    setFaults(driver.servers, FaultsRequest.getDefaultInstance());
    driver.history.fault("heal", "all");
  }

  private ServerProcess target() {
    int id = random.nextInt(100) < 40 ? driver.leader : 1 + random.nextInt(5);
    return driver.servers.get(id - 1);
  }

  private List<ServerProcess> pick(int n) {
    List<ServerProcess> all = new ArrayList<>(driver.servers);
    Collections.shuffle(all, random);
    return all.subList(0, n);
  }

  private void kill(ServerProcess s, long holdMillis) {
    driver.history.fault("kill", "S" + s.id + (s.id == driver.leader ? " (leader)" : ""));
    s.kill();
    ChaosDriver.sleep(holdMillis);
    try {
      s.start(START_TIMEOUT_MILLIS);
      driver.history.fault("restart", "S" + s.id);
    } catch (IOException e) {
      driver.history.note("restart of S" + s.id + " failed: " + e.getMessage());
    }
  }

  private void disconnect(List<ServerProcess> group, String what, long holdMillis) {
    driver.history.fault("disconnect", names(group) + " (" + what + ")");
    setConnected(group, false);
    ChaosDriver.sleep(holdMillis);
    setConnected(group, true);
    driver.history.fault("connect", names(group));
  }

  /**
   * An overlapping fault: SIGSTOP of {@code s} for {@code holdMillis} on a thread of its own, next
   * to the main fault (history kinds {@code overlap} and {@code overlapend}). A server that is not
   * running, or already paused, is left alone.
   */
  private Thread overlapPause(ServerProcess s, long holdMillis) {
    Thread t = new Thread(() -> {
      if (!s.isAlive() || s.isPaused()) {
        return;
      }
      try {
        s.pause(true);
        driver.history.fault("overlap", "pause S" + s.id);
        ChaosDriver.sleep(holdMillis);
        s.pause(false);
        driver.history.fault("overlapend", "resume S" + s.id);
      } catch (IOException | InterruptedException e) {
        driver.history.note("overlapping pause of S" + s.id + " failed: " + e.getMessage());
      }
    }, "chaos-overlap-S" + s.id);
    t.start();
    return t;
  }

  private void pause(ServerProcess s, long holdMillis) throws InterruptedException {
    try {
      s.pause(true);
      driver.history.fault("pause", "S" + s.id + (s.id == driver.leader ? " (leader)" : ""));
      ChaosDriver.sleep(holdMillis);
      s.pause(false);
      driver.history.fault("resume", "S" + s.id);
    } catch (IOException e) {
      driver.history.note("pause of S" + s.id + " failed: " + e.getMessage());
    }
  }

  /** The admin SetConnected on each server of {@code group}; a dead server starts connected. */
  private void setConnected(List<ServerProcess> group, boolean connected) {
    for (ServerProcess s : group) {
      if (s.isAlive() && !s.setConnected(connected)) {
        driver.history.note("S" + s.id + " setConnected(" + connected + ") failed");
      }
    }
  }

  // ---- network and sync faults (admin SetFaults) ---------------------------------------------

  /** Kinds 55..99 of {@link #run}: split 10%, oneway 10%, lossy 10%, syncfail 7%, slowsync 8%. */
  private void networkOrSyncFault(int kind, long holdMillis) {
    if (kind < 65) {
      split(holdMillis);
    } else if (kind < 75) {
      oneway(holdMillis);
    } else if (kind < 85) {
      lossy(holdMillis);
    } else if (kind < 92) {
      syncfail(target(), holdMillis);
    } else {
      slowsync(holdMillis);
    }
  }

  /** A two-sided partition: 1 or 2 servers against the rest; every server drops the other side. */
  private void split(long holdMillis) {
    List<ServerProcess> group = pick(1 + random.nextInt(2));
    List<ServerProcess> rest = others(group);
    driver.history.fault("split", names(group) + " | " + names(rest));
    setFaults(group, FaultsRequest.newBuilder().addAllDropTo(ids(rest)).addAllDropFrom(ids(rest))
        .build());
    setFaults(rest, FaultsRequest.newBuilder().addAllDropTo(ids(group))
        .addAllDropFrom(ids(group)).build());
    ChaosDriver.sleep(holdMillis);
    healed("split", driver.servers);
  }

  /**
   * A one-way partition: 1 or 2 servers stop hearing the rest (dropped on arrival, set on the
   * deaf servers), or stop being heard (dropped on sending, set on the mute servers).
   */
  private void oneway(long holdMillis) {
    List<ServerProcess> group = pick(1 + random.nextInt(2));
    boolean deaf = random.nextBoolean();
    List<ServerProcess> rest = others(group);
    FaultsRequest.Builder r = FaultsRequest.newBuilder();
    if (deaf) {
      r.addAllDropFrom(ids(rest));
    } else {
      r.addAllDropTo(ids(rest));
    }
    driver.history.fault("oneway", deaf
        ? names(group) + " hear nothing from " + names(rest)
        : names(rest) + " hear nothing from " + names(group));
    setFaults(group, r.build());
    ChaosDriver.sleep(holdMillis);
    healed("oneway", group);
  }

  /** On 1 to 3 servers: loss 0.1-0.4, duplicates 0.1-0.3, delay 0..(0-50) ms of what they send. */
  private void lossy(long holdMillis) {
    List<ServerProcess> group = pick(1 + random.nextInt(3));
    List<FaultsRequest> faults = new ArrayList<>();
    for (int i = 0; i < group.size(); i++) {
      faults.add(FaultsRequest.newBuilder().setLoss(0.1 + 0.3 * random.nextDouble())
          .setDuplicate(0.1 + 0.2 * random.nextDouble()).setDelayMaxMillis(random.nextInt(51))
          .build());
    }
    List<String> detail = new ArrayList<>();
    for (int i = 0; i < group.size(); i++) {
      FaultsRequest f = faults.get(i);
      detail.add(String.format(java.util.Locale.ROOT, "S%d loss=%.2f dup=%.2f delay<=%dms",
          group.get(i).id, f.getLoss(), f.getDuplicate(), f.getDelayMaxMillis()));
    }
    driver.history.fault("lossy", String.join("; ", detail));
    for (int i = 0; i < group.size(); i++) {
      setFaults(List.of(group.get(i)), faults.get(i));
    }
    ChaosDriver.sleep(holdMillis);
    healed("lossy", group);
  }

  /**
   * The next store sync of one server fails: its node should stop (and acknowledge nothing it did
   * not sync). After the hold, if its node is down, kill -9 and restart the process.
   */
  private void syncfail(ServerProcess s, long holdMillis) {
    driver.history.fault("syncfail", "S" + s.id + (s.id == driver.leader ? " (leader)" : ""));
    setFaults(List.of(s), FaultsRequest.newBuilder().setFailSyncs(1).build());
    ChaosDriver.sleep(holdMillis);
    healed("syncfail", List.of(s));
    if (s.isAlive() && !s.nodeUp()) {
      driver.history.fault("kill", "S" + s.id + " (its node stopped on the failed sync)");
      s.kill();
      try {
        s.start(START_TIMEOUT_MILLIS);
        driver.history.fault("restart", "S" + s.id);
      } catch (IOException e) {
        driver.history.note("restart of S" + s.id + " failed: " + e.getMessage());
      }
    }
  }

  /** Every store sync of 1 or 2 servers first sleeps 20-200 ms. */
  private void slowsync(long holdMillis) {
    List<ServerProcess> group = pick(1 + random.nextInt(2));
    List<Integer> millis = new ArrayList<>();
    for (int i = 0; i < group.size(); i++) {
      millis.add(20 + random.nextInt(181));
    }
    List<String> detail = new ArrayList<>();
    for (int i = 0; i < group.size(); i++) {
      detail.add("S" + group.get(i).id + " " + millis.get(i) + "ms");
    }
    driver.history.fault("slowsync", String.join("; ", detail));
    for (int i = 0; i < group.size(); i++) {
      setFaults(List.of(group.get(i)),
          FaultsRequest.newBuilder().setSlowSyncMillis(millis.get(i)).build());
    }
    ChaosDriver.sleep(holdMillis);
    healed("slowsync", group);
  }

  /** Undoes a SetFaults fault on {@code group} (an empty SetFaults) and says so in the history. */
  private void healed(String kind, List<ServerProcess> group) {
    setFaults(group, FaultsRequest.getDefaultInstance());
    driver.history.fault("healed", kind + " " + names(group));
  }

  /** The admin SetFaults on each live server of {@code group}; a dead server starts without. */
  private void setFaults(List<ServerProcess> group, FaultsRequest faults) {
    for (ServerProcess s : group) {
      if (s.isAlive() && !s.setFaults(faults)) {
        driver.history.note("S" + s.id + " setFaults failed");
      }
    }
  }

  private List<ServerProcess> others(List<ServerProcess> group) {
    List<ServerProcess> rest = new ArrayList<>(driver.servers);
    rest.removeAll(group);
    return rest;
  }

  private static List<Integer> ids(List<ServerProcess> group) {
    return group.stream().map(s -> s.id).toList();
  }

  private static String names(List<ServerProcess> group) {
    return group.stream().map(s -> "S" + s.id).collect(Collectors.joining(","));
  }

}
