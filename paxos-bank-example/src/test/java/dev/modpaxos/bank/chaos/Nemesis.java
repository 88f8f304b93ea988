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
 * majority: no quorum anywhere) through the bank's admin RPC, SIGSTOP/SIGCONT a server, and,
 * through the admin call SetFaults ({@code bank server --fault-injection}), two-sided and one-way
 * partitions, lossy links (loss, duplicates, delay and so reordering), failed syncs and slow
 * syncs. Every step goes into the history as a fault line. Every random choice of a fault is drawn
 * before it is injected, whatever the servers answer, so a seed replays the same schedule.
 */
final class Nemesis {
  private static final long START_TIMEOUT_MILLIS = 90_000;
  private final ChaosDriver driver;
  private final Random random;

  Nemesis(ChaosDriver driver, Random random) {
    this.driver = driver;
    this.random = random;
  }

  /** Injects faults until {@code deadline} (System.nanoTime()). */
  void run(long deadline) throws InterruptedException {
    while (true) {
      long pauseMillis = 1_000 + random.nextInt(3_000);
      long holdMillis = 1_000 + random.nextInt(4_000);
      int kind = random.nextInt(100);
      if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pauseMillis + holdMillis) > deadline) {
        ChaosDriver.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        return;
      }
      ChaosDriver.sleep(pauseMillis);
      if (kind < 20) {
        kill(target(), holdMillis);
      } else if (kind < 32) {
        disconnect(pick(1 + random.nextInt(2)), "minority", holdMillis);
      } else if (kind < 40) {
        disconnect(pick(3), "majority", holdMillis);
      } else if (kind < 55) {
        pause(target(), holdMillis);
      } else {
        networkOrSyncFault(kind, holdMillis);
      }
    }
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
