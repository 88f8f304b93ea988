package dev.modpaxos.bank.chaos;

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
 * majority: no quorum anywhere) through the bank's admin RPC, and SIGSTOP/SIGCONT a server.
 * Every step goes into the history as a fault line.
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
      if (kind < 30) {
        kill(target(), holdMillis);
      } else if (kind < 55) {
        disconnect(pick(1 + random.nextInt(2)), "minority", holdMillis);
      } else if (kind < 72) {
        disconnect(pick(3), "majority", holdMillis);
      } else {
        pause(target(), holdMillis);
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

  private static String names(List<ServerProcess> group) {
    return group.stream().map(s -> "S" + s.id).collect(Collectors.joining(","));
  }

}
