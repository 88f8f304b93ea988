package dev.modpaxos.bank;

import dev.modpaxos.local.NetworkFaults;
import java.util.ArrayList;
import java.util.List;

/** Builds the single-JVM mode: five {@link BankServer}s on one backend and one fault switchboard. */
public final class InJvmCluster {
  private InJvmCluster() {}

  /**
   * Starts servers S1..S5 on {@code backend}. The returned cluster closes the servers; the caller
   * closes the backend afterwards.
   */
  public static Cluster start(ClusterBackend backend, long tickMillis, long catchUpTimeoutMillis) {
    return start(backend, tickMillis, catchUpTimeoutMillis, false);
  }

  /** As above; {@code stableLeader} runs the stable-leader mode (see BankServer#stableLeader). */
  public static Cluster start(ClusterBackend backend, long tickMillis, long catchUpTimeoutMillis,
      boolean stableLeader) {
    return start(backend, tickMillis, catchUpTimeoutMillis, stableLeader, 0);
  }

  /** As above; {@code compactEverySlots > 0} turns compaction on (BankServer#compactEvery). */
  public static Cluster start(ClusterBackend backend, long tickMillis, long catchUpTimeoutMillis,
      boolean stableLeader, long compactEverySlots) {
    return start(backend, tickMillis, catchUpTimeoutMillis, stableLeader, compactEverySlots,
        Progress.NONE);
  }

  /** As above, saying on {@code progress} what it does while the servers start. */
  static Cluster start(ClusterBackend backend, long tickMillis, long catchUpTimeoutMillis,
      boolean stableLeader, long compactEverySlots, Progress progress) {
    progress.say("starting the five servers (" + backend.description() + ")");
    progress.begin("start-up", "");
    NetworkFaults faults = new NetworkFaults(42);
    List<BankServer> servers = new ArrayList<>();
    try {
      for (int id : Servers.IDS) {
        progress.doing(Servers.name(id) + " opens its store and replays its chosen blocks");
        BankServer s = new BankServer(id, backend, faults, tickMillis).foundingOnFirstStart()
            .stableLeader(stableLeader).compactEvery(compactEverySlots);
        servers.add(s);
        s.recover();
      }
    } catch (RuntimeException e) {
      progress.end();
      servers.forEach(BankServer::close);
      throw e;
    }
    Cluster cluster = new Cluster(servers, catchUpTimeoutMillis, backend.description()
        + (stableLeader ? ", stable leader" : "")
        + (compactEverySlots > 0 ? ", compaction every " + compactEverySlots + " slots" : ""));
    try {
      progress.doing("the servers connect to each other");
      cluster.warmUp(backend.warmUpMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long seconds = progress.stepSeconds();
    if (progress.end()) {
      progress.say("the five servers are up after " + seconds + " s");
    }
    return cluster;
  }
}
