package dev.modpaxos.bank;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.local.NetworkFaults;
import dev.modpaxos.runtime.NodeMetrics;
import dev.modpaxos.runtime.PaxosNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contention workload of issue 16 (docs/RELIABILITY.md, "Contention"): five bank servers in
 * one JVM over real gRPC on 127.0.0.1 with Chronicle stores (the {@code ./bank} default), and five
 * client threads sending at once, each to its own server. Most amounts are small; one in {@code
 * contention.largeEvery} is larger than a balance can cover, so its server runs an on-demand round
 * (R14) while the others do the same. It stops after {@code contention.transfers} transfers or
 * {@code contention.seconds} seconds, whichever comes first, and prints one line: rounds won and
 * lost per server (the core's PREPARE phases, {@link NodeMetrics}), the bank's rounds run and
 * failed, the REJECTs received, and the longest time in which no server applied a new slot while
 * the clients were sending. {@code -Dcontention.delayMillis=D} delays every message by a random 0..D
 * ms, as a loaded machine or separate processes do. {@code -Dcontention.disconnect=2,4} disconnects
 * those servers after warm-up without telling the others ({@code setUnreachable} is not called);
 * the other servers' clients send only among themselves.
 *
 * <p>A measurement, not part of {@code mvn verify}: it runs only when {@code
 * -Dcontention.largeEvery=N} is given. What it asserts holds whatever the machine's speed: money
 * is conserved and no balance is negative. The ratio it reports is a figure for the docs.
 */
@EnabledIfSystemProperty(named = "contention.largeEvery", matches = "[0-9]+")
class ContentionWorkloadTest {
  @TempDir Path dir;

  @Test
  void fiveClientsAtOnce() throws Exception {
    int largeEvery = Integer.getInteger("contention.largeEvery");
    int transfersMax = Integer.getInteger("contention.transfers", 2_000);
    long seconds = Long.getLong("contention.seconds", 60);
    long seed = Long.getLong("contention.seed", 16);
    long delayMillis = Long.getLong("contention.delayMillis", 0);
    List<Integer> ports = Ports.free(Servers.COUNT);
    GrpcChronicleBackend backend = new GrpcChronicleBackend(
        GrpcChronicleBackend.loopbackMembers(id -> ports.get(id - 1)), dir, null, true);
    // As InJvmCluster builds it, with a switchboard of our own: -Dcontention.delayMillis=D delays
    // every message by a random 0..D ms (and so reorders them), as a loaded machine does.
    NetworkFaults faults = new NetworkFaults(seed);
    faults.delayMillisMax(delayMillis);
    List<BankServer> servers = new ArrayList<>();
    for (int id : Servers.IDS) {
      BankServer s = new BankServer(id, backend, faults, 10).foundingOnFirstStart();
      servers.add(s);
      s.recover();
    }
    try (Cluster cluster = new Cluster(servers, 10_000, backend.description())) {
      cluster.warmUp(backend.warmUpMillis());
      java.util.Set<Integer> disconnected = new java.util.TreeSet<>();
      for (String d : System.getProperty("contention.disconnect", "").split(",")) {
        if (!d.isBlank()) {
          disconnected.add(Integer.parseInt(d.trim()));
          cluster.server(Integer.parseInt(d.trim())).setConnected(false);
        }
      }
      AtomicInteger sent = new AtomicInteger();
      AtomicInteger executed = new AtomicInteger();
      AtomicInteger pendingAnswers = new AtomicInteger();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      List<Thread> clients = new ArrayList<>();
      for (int id : Servers.IDS) {
        if (disconnected.contains(id)) {
          continue;
        }
        SplittableRandom random = new SplittableRandom(seed * 31 + id);
        ServerHandle server = cluster.server(id);
        Thread t = new Thread(() -> {
          long n = 0;
          while (System.nanoTime() < deadline && sent.getAndIncrement() < transfersMax) {
            int to = 1 + random.nextInt(Servers.COUNT - 1);
            to = to >= id ? to + 1 : to;
            if (disconnected.contains(to)) {
              continue;
            }
            // Large: 50..100, often more than the sender has. At most 100, so five stuck
            // senders cannot wait on each other for good: 500 in all funds one of them once a
            // round has collected every log.
            long amount = random.nextInt(largeEvery) == 0 ? 50 + random.nextInt(51)
                : 1 + random.nextInt(3);
            TransferResult r = server.transfer(new Transfer(((long) id << 32) | ++n, id, to,
                amount));
            if (r.status() == TransferResult.Status.EXECUTED) {
              executed.incrementAndGet();
            } else {
              pendingAnswers.incrementAndGet();
            }
          }
        }, "client-S" + id);
        clients.add(t);
      }
      long start = System.nanoTime();
      AtomicLong longestStallMillis = new AtomicLong();
      clients.forEach(Thread::start);
      long lastSlot = -1;
      long lastChange = start;
      while (clients.stream().anyMatch(Thread::isAlive)) {
        Thread.sleep(10);
        long slot = 0;
        for (int id : Servers.IDS) {
          PaxosNode node = ((BankServer) cluster.server(id)).runningNode();
          slot = Math.max(slot, node == null ? 0 : node.committedSlot());
        }
        long now = System.nanoTime();
        if (slot != lastSlot) {
          lastSlot = slot;
          lastChange = now;
        }
        longestStallMillis.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(now - lastChange),
            Math::max);
      }
      for (Thread t : clients) {
        t.join();
      }
      long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      StringBuilder perServer = new StringBuilder();
      long won = 0;
      long lost = 0;
      long rejects = 0;
      long bankRounds = 0;
      long bankFailed = 0;
      for (int id : Servers.IDS) {
        NodeMetrics m = ((BankServer) cluster.server(id)).runningNode().metrics();
        ServerView.PerformanceView p = cluster.server(id).view().performance();
        long rj = m.messagesReceived().getOrDefault("REJECT", 0L);
        perServer.append(String.format(" S%d:won=%d,lost=%d,rejects=%d,bank_rounds=%d/%d_failed",
            id, m.roundsWon(), m.roundsLost(), rj, p.roundsRun(), p.roundsFailed()));
        won += m.roundsWon();
        lost += m.roundsLost();
        rejects += rj;
        bankRounds += p.roundsRun();
        bankFailed += p.roundsFailed();
      }
      cluster.settle();
      long total = 0;
      for (ServerView v : cluster.views()) {
        assertThat(v.balance()).as(v.server() + "'s balance").isGreaterThanOrEqualTo(0);
        total += v.balance();
      }
      Map<Integer, ServerHandle.ServerStatus> status = cluster.refresh();
      System.out.printf(
          "contention largeEvery=%d delay_ms=%d transfers=%d executed=%d pending_answers=%d elapsed_ms=%d"
              + " won=%d lost=%d lost_per_won=%s rejects=%d bank_rounds=%d bank_failed=%d"
              + " longest_stall_ms=%d slots=%d%s%n",
          largeEvery, delayMillis, Math.min(sent.get(), transfersMax), executed.get(), pendingAnswers.get(),
          elapsedMillis, won, lost, won == 0 ? "inf" : String.format("%.2f", (double) lost / won),
          rejects, bankRounds, bankFailed, longestStallMillis.get(),
          status.values().stream().mapToLong(ServerHandle.ServerStatus::appliedSlot).max()
              .orElse(0), perServer);
      assertThat(total).as("money is conserved on the servers' own views").isLessThanOrEqualTo(
          100L * Servers.COUNT);
    } finally {
      backend.close();
    }
  }
}
