package dev.modpaxos.bank;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.modpaxos.bank.ServerView.BlockView;
import dev.modpaxos.bank.ServerView.TransferView;
import dev.modpaxos.bank.SetRunner.SetOutcome;
import dev.modpaxos.bank.SetRunner.Tracked;
import dev.modpaxos.bank.TransferSet.RowProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON report written at exit: the sets' outcomes, every transfer's fate, the rows rejected,
 * and each server's balance, local log, pending queue, blocks and balance map, plus performance.
 */
public final class Report {
  /** The whole report. */
  public record Doc(
      String input,
      String backend,
      List<SetOutcome> sets,
      List<RowProblem> rejectedRows,
      List<TransferFate> transfers,
      Map<String, ServerDoc> servers,
      Map<String, Object> performance) {}

  /** Cluster-wide performance over the time the sets ran. */
  public record ClusterPerformance(long setMillis, long transfersChosen, double throughputPerSec) {}

  /** One transfer and what became of it. */
  public record TransferFate(
      long id, int set, String from, String to, long amount, String status, String reason) {}

  /** One server at exit; "balance" is its own client's balance. */
  public record ServerDoc(
      boolean up,
      long committedSlot,
      long balance,
      List<TransferView> localLog,
      List<TransferView> pending,
      List<BlockView> blocks,
      Map<String, Long> balanceMap,
      ServerView.SnapshotView snapshot) {}

  private Report() {}

  public static Doc build(String input, Session session) {
    Map<String, ServerDoc> servers = new LinkedHashMap<>();
    Map<String, Object> perf = new LinkedHashMap<>();
    long chosen = 0;
    long setMillis = session.runner().setMillisTotal();
    for (ServerView v : session.cluster().views()) {
      servers.put(v.server(), new ServerDoc(v.up(), v.committedSlot(), v.balance(), v.localLog(),
          v.pending(), v.blocks(), v.balanceMap(), v.snapshot()));
      if (v.performance() != null) {
        perf.put(v.server(), v.performance());
        chosen = Math.max(chosen, ServerView.chosenTransfers(v));
      }
    }
    perf.put("cluster",
        new ClusterPerformance(setMillis, chosen, Printer.throughput(chosen, setMillis)));
    List<TransferFate> fates = new ArrayList<>();
    for (Tracked t : session.runner().tracked()) {
      Transfer x = t.transfer();
      fates.add(new TransferFate(x.id(), t.set(), Servers.name(x.from()), Servers.name(x.to()),
          x.amount(), t.status().name().toLowerCase(java.util.Locale.ROOT), t.reason()));
    }
    return new Doc(input, session.cluster().description(), session.runner().outcomes(),
        session.problems(), fates, servers, perf);
  }

  public static void write(Doc doc, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), doc);
  }
}
