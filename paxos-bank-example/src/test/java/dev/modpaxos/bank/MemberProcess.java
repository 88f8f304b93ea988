package dev.modpaxos.bank;

import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Configuration;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.ReplicaConfig;
import dev.modpaxos.runtime.PaxosNode;
import dev.modpaxos.storage.chronicle.ChronicleStore;
import dev.modpaxos.transport.grpc.GrpcTransport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * A child JVM of {@link MembershipProcessTest}: one {@link PaxosNode} over {@link GrpcTransport}
 * (127.0.0.1) with a {@link ChronicleStore}, driven by lines on stdin and answering on stdout.
 * Its application records the payloads it applies, in order.
 *
 * <p>Arguments: {@code id founding dataDir mode addresses}, where {@code founding} is
 * {@code 1,2,3}, {@code mode} is {@code bootstrap} (a founding member's first start), {@code
 * join} (a node added later: empty store, no bootstrap), {@code restart} or {@code rejoin} (the
 * bank's {@link RejoinCheck} with and without {@code --rejoin}), and {@code addresses} is {@code
 * 1=127.0.0.1:7001,2=...} for every node that may ever be a member.
 *
 * <p>Commands and answers (one line each; answers may come in any order):
 * <ul>
 *   <li>{@code submit N}: {@code chosen N} once entry {@code eN} is chosen, or {@code notchosen N
 *       reason};
 *   <li>{@code op TAG addMember|removeMember|replaceMember|transferLeadership ID}: {@code opdone
 *       TAG configuration} or {@code opfailed TAG reason};
 *   <li>{@code status TAG}: {@code status TAG voting leader committed reason};
 *   <li>{@code entries TAG}: {@code entries TAG n1,n2,...} (applied, in order; {@code -} if
 *       none).
 * </ul>
 * It prints {@code ready} once started, or {@code refused reason} and exits 2.
 */
public final class MemberProcess {
  private MemberProcess() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("chronicle.analytics.disable", "true");
    int id = Integer.parseInt(args[0]);
    List<Integer> founding = Arrays.stream(args[1].split(",")).map(Integer::valueOf).toList();
    Path dataDir = Path.of(args[2]);
    String mode = args[3];
    Map<Integer, InetSocketAddress> addresses = new TreeMap<>();
    for (String a : args[4].split(",")) {
      String[] kv = a.split("[=:]");
      addresses.put(Integer.parseInt(kv[0]), new InetSocketAddress(kv[1], Integer.parseInt(kv[2])));
    }
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    List<Long> applied = new ArrayList<>();
    dev.modpaxos.spi.Store store = ChronicleStore.open(dataDir);
    if (mode.equals("restart") || mode.equals("rejoin")) {
      store = new RejoinCheck(store, mode.equals("rejoin"), "node " + id + "'s store");
    }
    PaxosNode node;
    try {
      node = PaxosNode.builder(ReplicaConfig.builder(id, founding)
              .clusterId("membership-test")
              .roundTimeoutTicks(50)
              .build())
          .transport(GrpcTransport.builder(id, addresses).build())
          .store(store)
          .application((slot, block) -> record(applied, block))
          .bootstrap(mode.equals("bootstrap"))
          .build()
          .start();
    } catch (IllegalStateException e) {
      out.println("refused " + e.getMessage());
      System.exit(2);
      return;
    }
    out.println("ready " + id);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      String[] p = line.trim().split(" ");
      switch (p[0]) {
        case "submit" -> submit(node, Long.parseLong(p[1]), out);
        case "op" -> op(node, p[1], p[2], Integer.parseInt(p[3]))
            .whenComplete((c, e) -> out.println(e == null ? "opdone " + p[1] + " " + c
                : "opfailed " + p[1] + " " + oneLine(e)));
        case "status" -> out.println("status " + p[1] + " " + node.isVoting() + " "
            + node.leaderId().orElse(0) + " " + node.committedSlot() + " "
            + (node.isVoting() ? "-" : node.notVotingReason()));
        case "entries" -> {
          String list;
          synchronized (applied) {
            list = applied.isEmpty() ? "-" : String.join(",",
                applied.stream().map(String::valueOf).toList());
          }
          out.println("entries " + p[1] + " " + list);
        }
        default -> out.println("unknown " + line);
      }
    }
    node.close();
  }

  private static void record(List<Long> applied, Block block) {
    synchronized (applied) {
      for (Entry e : block.entries()) {
        String s = new String(e.payload(), StandardCharsets.UTF_8);
        if (s.startsWith("e")) {
          applied.add(Long.parseLong(s.substring(1)));
        }
      }
    }
  }

  private static void submit(PaxosNode node, long n, PrintStream out) {
    try {
      node.submit(("e" + n).getBytes(StandardCharsets.UTF_8)).chosen()
          .whenComplete((slot, e) -> out.println(e == null ? "chosen " + n
              : "notchosen " + n + " " + oneLine(e)));
    } catch (RuntimeException e) {
      out.println("notchosen " + n + " " + oneLine(e));
    }
  }

  private static CompletableFuture<Configuration> op(PaxosNode node, String tag, String op,
      int target) {
    return switch (op) {
      case "addMember" -> node.addMember(target);
      case "removeMember" -> node.removeMember(target);
      case "replaceMember" -> node.replaceMember(target);
      case "transferLeadership" -> node.transferLeadership(target);
      default -> CompletableFuture.failedFuture(new IllegalArgumentException("unknown op " + op));
    };
  }

  private static String oneLine(Throwable e) {
    Throwable c = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
        ? e.getCause() : e;
    return String.valueOf(c).replace('\n', ' ');
  }
}
