package dev.modpaxos.bank;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The five servers as the driver sees them, whatever the mode: applies a set's live list, crashes
 * and recovers servers, and brings servers up to date. Not thread-safe: one driver thread.
 */
public final class Cluster implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Cluster.class);

  private final Map<Integer, ServerHandle> servers = new TreeMap<>();
  private final long catchUpTimeoutMillis;
  private final String description;
  private SortedSet<Integer> live = new TreeSet<>(Servers.IDS);
  // What each server was last told is unreachable, keyed by the incarnation told.
  private final Map<Integer, String> unreachableTold = new HashMap<>();

  /** {@code handles} must hold one handle per server S1..S5. */
  public Cluster(List<? extends ServerHandle> handles, long catchUpTimeoutMillis, String description) {
    for (ServerHandle h : handles) {
      servers.put(h.id(), h);
    }
    if (!servers.keySet().equals(Set.copyOf(Servers.IDS))) {
      throw new IllegalArgumentException("need servers " + Servers.IDS + ", got " + servers.keySet());
    }
    this.catchUpTimeoutMillis = catchUpTimeoutMillis;
    this.description = description;
  }

  public String description() {
    return description;
  }

  public ServerHandle server(int id) {
    Servers.requireValid(id);
    return servers.get(id);
  }

  public SortedSet<Integer> live() {
    return new TreeSet<>(live);
  }

  /** Servers that are live in the current set and up. */
  public List<ServerHandle> liveUp() {
    List<ServerHandle> out = new ArrayList<>();
    for (int id : live) {
      if (servers.get(id).isUp()) {
        out.add(servers.get(id));
      }
    }
    return out;
  }

  /**
   * Disconnects every server missing from {@code newLive} and reconnects the others; reconnected
   * servers catch up with the rest before this returns (or its time runs out).
   */
  public void applyLiveList(Set<Integer> newLive) {
    for (ServerHandle s : servers.values()) {
      s.setConnected(newLive.contains(s.id()));
    }
    live = new TreeSet<>(newLive);
    refresh();
    settle();
  }

  /**
   * Every server's status, after telling each up server which peers cannot answer now: those not
   * live in this set and those down (all of them, for a server that is itself cut off). A round
   * then waits for exactly the others' promises (R14).
   */
  public Map<Integer, ServerHandle.ServerStatus> refresh() {
    Map<Integer, ServerHandle.ServerStatus> status = new TreeMap<>();
    for (ServerHandle s : servers.values()) {
      status.put(s.id(), s.status());
    }
    for (ServerHandle s : servers.values()) {
      ServerHandle.ServerStatus own = status.get(s.id());
      if (!own.up()) {
        unreachableTold.remove(s.id());
        continue;
      }
      Set<Integer> peers = new TreeSet<>();
      for (int m : Servers.IDS) {
        if (m != s.id() && (!live.contains(s.id()) || !live.contains(m) || !status.get(m).up())) {
          peers.add(m);
        }
      }
      String told = own.incarnation() + " " + peers;
      if (!told.equals(unreachableTold.get(s.id()))) {
        s.setUnreachable(peers);
        unreachableTold.put(s.id(), told);
      }
    }
    return status;
  }

  /** Brings every live, up server to the highest slot any of them has applied. */
  public void settle() {
    long target = -1;
    for (ServerHandle s : liveUp()) {
      target = Math.max(target, s.appliedSlot());
    }
    for (ServerHandle s : liveUp()) {
      if (s.appliedSlot() < target && !s.catchUpTo(target, catchUpTimeoutMillis)) {
        log.warn("{} did not catch up to slot {} in {} ms",
            Servers.name(s.id()), target, catchUpTimeoutMillis);
      }
    }
  }

  /**
   * Lets every server open its connections before the first set: each asks its peers for blocks,
   * twice, {@code millis} apart. A round collects only the local logs whose promises arrive, so a
   * connection still being set up would leave a server's log out of the first round.
   */
  public void warmUp(long millis) throws InterruptedException {
    if (millis <= 0) {
      return;
    }
    for (int pass = 0; pass < 2; pass++) {
      for (ServerHandle s : servers.values()) {
        s.catchUpTo(0, 0);
      }
      Thread.sleep(millis);
    }
  }

  public void crash(int id) {
    server(id).crash();
    refresh();
  }

  /**
   * Restarts a crashed server from its store and, if it is live, catches it up with the other live
   * servers before it serves. Returns false if it could not catch up in time.
   */
  public boolean recover(int id) {
    ServerHandle s = server(id);
    s.recover();
    refresh();
    if (!live.contains(id)) {
      return true;
    }
    long target = -1;
    for (ServerHandle o : liveUp()) {
      target = Math.max(target, o.appliedSlot());
    }
    settle();
    return s.appliedSlot() >= target;
  }

  public List<ServerView> views() {
    List<ServerView> out = new ArrayList<>();
    for (ServerHandle s : servers.values()) {
      out.add(s.view());
    }
    return out;
  }

  @Override
  public void close() {
    for (ServerHandle s : servers.values()) {
      try {
        s.close();
      } catch (RuntimeException e) {
        log.warn("closing {} failed: {}", Servers.name(s.id()), e.toString());
      }
    }
  }
}
