package dev.modpaxos.bank;

import dev.modpaxos.bank.admin.FaultsRequest;
import dev.modpaxos.local.DiskFaults;
import dev.modpaxos.local.FaultInjectingStore;
import dev.modpaxos.local.NetworkFaults;
import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.Transport;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bank server --fault-injection} (hidden, off by default; for the chaos harness only): the
 * faults the admin call {@code SetFaults} sets on this server process. The network faults go to
 * the process's {@link NetworkFaults} (which its {@code FaultInjectingTransport} obeys, next to
 * {@code SetConnected}'s disconnect); the sync faults to a {@link DiskFaults} that every store the
 * server opens obeys ({@link #wrap}). Thread-safe.
 */
final class FaultInjection {
  private static final Logger log = LoggerFactory.getLogger(FaultInjection.class);
  static final int DELAY_MILLIS_MAX = 10_000;
  static final int SLOW_SYNC_MILLIS_MAX = 10_000;
  static final long FAIL_SYNCS_MAX = 1_000_000;

  private final int self;
  private final NetworkFaults network;
  private final DiskFaults disk = new DiskFaults();

  /**
   * @param self this server's id
   * @param network the switchboard this server's transport obeys
   */
  FaultInjection(int self, NetworkFaults network) {
    this.self = self;
    this.network = network;
  }

  /** {@return the sync faults, for tests} */
  DiskFaults disk() {
    return disk;
  }

  /** {@code backend}, with every store it opens wrapped in a {@link FaultInjectingStore}. */
  ClusterBackend wrap(ClusterBackend backend) {
    return new ClusterBackend() {
      @Override
      public Transport transport(int nodeId) {
        return backend.transport(nodeId); // BankServer wraps it in its FaultInjectingTransport
      }

      @Override
      public Store openStore(int nodeId) {
        return new FaultInjectingStore(backend.openStore(nodeId), disk);
      }

      @Override
      public long warmUpMillis() {
        return backend.warmUpMillis();
      }

      @Override
      public String description() {
        return backend.description() + ", fault injection on";
      }

      @Override
      public void close() {
        backend.close();
      }
    };
  }

  /** What is wrong with {@code r}, in one line, or null if it may be applied. */
  static String problem(FaultsRequest r) {
    String p = probability("loss", r.getLoss());
    if (p == null) {
      p = probability("duplicate", r.getDuplicate());
    }
    if (p == null) {
      p = servers("drop_to", r.getDropToList());
    }
    if (p == null) {
      p = servers("drop_from", r.getDropFromList());
    }
    if (p == null) {
      p = atMost("delay_max_millis", r.getDelayMaxMillis(), DELAY_MILLIS_MAX);
    }
    if (p == null) {
      p = atMost("slow_sync_millis", r.getSlowSyncMillis(), SLOW_SYNC_MILLIS_MAX);
    }
    if (p == null) {
      p = atMost("fail_syncs", r.getFailSyncs(), FAIL_SYNCS_MAX);
    }
    return p;
  }

  private static String probability(String field, double value) {
    return value >= 0 && value <= 1 ? null : field + " must be in [0, 1], got " + value;
  }

  private static String servers(String field, List<Integer> ids) {
    for (int id : ids) {
      if (!Servers.IDS.contains(id)) {
        return field + " names no server " + Integer.toUnsignedString(id) + " (servers are "
            + Servers.IDS.get(0) + ".." + Servers.IDS.get(Servers.IDS.size() - 1) + ")";
      }
    }
    return null;
  }

  private static String atMost(String field, int unsigned, long max) {
    long value = Integer.toUnsignedLong(unsigned);
    return value <= max ? null : field + " must be at most " + max + ", got " + value;
  }

  /**
   * Replaces every fault set before with those of {@code r}, which {@link #problem} found valid;
   * an empty request heals. Leaves {@code SetConnected}'s disconnect alone.
   */
  synchronized void apply(FaultsRequest r) {
    network.restoreLinks();
    for (int to : r.getDropToList()) {
      network.cut(self, to);
    }
    for (int from : r.getDropFromList()) {
      network.cut(from, self);
    }
    network.dropProbability(r.getLoss());
    network.duplicateProbability(r.getDuplicate());
    network.delayMillisMax(r.getDelayMaxMillis());
    disk.slowSyncMillis(r.getSlowSyncMillis());
    disk.failSyncs(r.getFailSyncs());
    log.warn("{}: injected faults now: {}", Servers.name(self),
        r.equals(FaultsRequest.getDefaultInstance()) ? "none" : AdminEndpoint.fields(r));
  }
}
