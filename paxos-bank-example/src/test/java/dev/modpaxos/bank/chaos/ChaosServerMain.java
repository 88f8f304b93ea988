package dev.modpaxos.bank.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modpaxos.bank.BankServer;
import dev.modpaxos.bank.ClusterBackend;
import dev.modpaxos.bank.Transfer;
import dev.modpaxos.bank.TransferResult;
import dev.modpaxos.local.NetworkFaults;
import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.Transport;
import dev.modpaxos.storage.chronicle.ChronicleStore;
import dev.modpaxos.transport.grpc.GrpcTransport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One bank server per JVM for the chaos harness (test sources only): a {@link BankServer} over
 * {@link GrpcTransport} on 127.0.0.1 and a {@link ChronicleStore} in its own directory, controlled
 * by one command per line on stdin. Replies go to stdout as {@code "@ <request> <answer>"}; logs go
 * to stderr.
 *
 * <p>Usage: {@code ChaosServerMain <id> <port1,...,port5> <dataDir> [skip-persist]}. Commands:
 * {@code t <req> <transferId> <to> <amount>} (a transfer from this server's client, answered with
 * its status and rounds run), {@code view <req>} (the server's view as JSON), {@code catchup <req>
 * <slot>}, and the admin commands {@code disconnect}, {@code connect}, {@code cut <peer>...},
 * {@code heal}, which act on this process's fault switchboard at once and answer nothing.
 *
 * <p>{@code skip-persist} is the deliberately broken build: the store drops every local-log append,
 * so the server acknowledges transfers that a kill -9 then loses. It exists only here.
 */
public final class ChaosServerMain {
  private final int id;
  private final BankServer server;
  private final NetworkFaults faults = new NetworkFaults(1);
  private final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
  private final ObjectMapper json = new ObjectMapper();
  // Transfers run one at a time, in arrival order; admin and views do not wait for them.
  private final ExecutorService transfers = Executors.newSingleThreadExecutor();
  private final ExecutorService others = Executors.newCachedThreadPool();

  private ChaosServerMain(int id, Map<Integer, InetSocketAddress> members, Path dir,
      boolean skipPersist) {
    this.id = id;
    ClusterBackend backend = new ClusterBackend() {
      @Override
      public Transport transport(int nodeId) {
        return GrpcTransport.builder(nodeId, members).build();
      }

      @Override
      public Store openStore(int nodeId) {
        Store store = ChronicleStore.open(dir);
        return skipPersist ? new SkipPersistStore(store) : store;
      }

      @Override
      public String description() {
        return "gRPC transport, Chronicle store";
      }
    };
    this.server = new BankServer(id, backend, faults, 10);
  }

  public static void main(String[] args) throws Exception {
    int id = Integer.parseInt(args[0]);
    String[] ports = args[1].split(",");
    Map<Integer, InetSocketAddress> members = new TreeMap<>();
    for (int i = 0; i < ports.length; i++) {
      members.put(i + 1, new InetSocketAddress("127.0.0.1", Integer.parseInt(ports[i])));
    }
    boolean broken = args.length > 3 && args[3].equals("skip-persist");
    ChaosServerMain m = new ChaosServerMain(id, members, Path.of(args[2]), broken);
    m.server.recover();
    m.out.println("@ 0 started");
    m.serve();
  }

  private void serve() throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      String[] w = line.trim().split(" ");
      try {
        command(w);
      } catch (RuntimeException e) {
        System.err.println("bad command '" + line + "': " + e);
      }
    }
    Runtime.getRuntime().halt(0); // the driver went away
  }

  private void command(String[] w) {
    switch (w[0]) {
      case "t" -> transfers.execute(() -> transfer(w[1], Long.parseLong(w[2]),
          Integer.parseInt(w[3]), Long.parseLong(w[4])));
      case "view" -> others.execute(() -> reply(w[1], "VIEW " + view()));
      case "catchup" -> others.execute(() ->
          reply(w[1], "CAUGHTUP " + server.catchUpTo(Long.parseLong(w[2]), 20_000)));
      case "disconnect" -> faults.disconnect(id);
      case "connect" -> {
        faults.reconnect(id);
        others.execute(() -> server.setConnected(true)); // asks the peers for missed blocks
      }
      case "cut" -> {
        for (int i = 1; i < w.length; i++) {
          faults.cut(id, Integer.parseInt(w[i]));
        }
      }
      case "heal" -> {
        faults.heal();
        others.execute(() -> server.setConnected(true));
      }
      default -> throw new IllegalArgumentException("unknown command " + w[0]);
    }
  }

  private void transfer(String request, long transferId, int to, long amount) {
    TransferResult r = server.transfer(new Transfer(transferId, id, to, amount));
    String others = r.executedIds().isEmpty() ? "-"
        : String.join(",", r.executedIds().stream().map(String::valueOf).toList());
    reply(request, r.status() + " " + r.roundsRun() + " " + others + " "
        + r.reason().replace(' ', '_'));
  }

  private String view() {
    try {
      return json.writeValueAsString(server.view());
    } catch (Exception e) {
      return "{}";
    }
  }

  private void reply(String request, String answer) {
    synchronized (out) {
      out.println("@ " + request + " " + answer);
    }
  }
}
