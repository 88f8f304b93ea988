package dev.modpaxos.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.protocol.RoundTrigger;
import dev.modpaxos.runtime.PaxosNode;
import dev.modpaxos.runtime.SubmitHandle;
import dev.modpaxos.storage.chronicle.ChronicleStore;
import dev.modpaxos.storage.chronicle.ChronicleStoreConfig;
import dev.modpaxos.storage.chronicle.Durability;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real node (gRPC on 127.0.0.1, a Chronicle store) whose start fails because its port is taken
 * releases everything it opened: the store's directory lock, the transport and its threads. A
 * fresh node on the same store then starts and serves.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GrpcNodeStartTest {
  @TempDir Path dir;
  private final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : opened) {
      c.close();
    }
  }

  private PaxosNode node(InetSocketAddress address, boolean bootstrap) {
    ChronicleStore store = ChronicleStore.open(dir,
        ChronicleStoreConfig.builder().durability(Durability.PROCESS).build());
    PaxosNode node =
        PaxosNode.builder(ReplicaConfig.builder(1, List.of(1)).trigger(RoundTrigger.AUTO).build())
            .transport(GrpcTransport.builder(1, Map.of(1, address)).build())
            .store(store)
            .application((slot, block) -> {})
            .bootstrap(bootstrap)
            .build();
    opened.add(node);
    opened.add(store);
    return node;
  }

  private static List<String> threadsOfNode1() {
    List<String> names = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && t.getName().startsWith("modpaxos-") && t.getName().contains("-1")) {
        names.add(t.getName());
      }
    }
    return names;
  }

  @Test
  void aStartThatCannotListenReleasesTheStoreAndThreadsAndAFreshNodeThenStarts() throws Exception {
    List<String> threadsBefore = threadsOfNode1();
    InetSocketAddress address;
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      address = new InetSocketAddress(InetAddress.getLoopbackAddress(), taken.getLocalPort());
      PaxosNode first = node(address, true);

      assertThatThrownBy(first::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("node 1 did not start: node 1: cannot listen on " + address)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
      assertThat(first.isRunning()).isFalse();
      // Real threads end shortly after they are told to: poll, bounded (a real-process test).
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!threadsOfNode1().equals(threadsBefore) && System.nanoTime() < until) {
        Thread.sleep(10);
      }
      assertThat(threadsOfNode1()).as("threads left by the failed start")
          .containsExactlyInAnyOrderElementsOf(threadsBefore);
    }

    // The port is free again and the store's lock was released: a fresh node on the same
    // directory starts (a second opener would get a StoreException at once if it were held).
    PaxosNode second = node(address, true);
    second.start();
    assertThat(second.isRunning()).isTrue();
    SubmitHandle h = second.submit(new byte[] {42});
    assertThat(h.chosen().get(30, TimeUnit.SECONDS)).isEqualTo(1L);
  }
}
