package dev.modpaxos.benchmarks;

import dev.modpaxos.benchmarks.JmhResults.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Turns the JMH JSON of one run into the markdown tables of docs/BENCHMARKS.md: the machine and
 * its load average before and after the run, the exact command, each benchmark's figures, the
 * ratios to the floor and to the peers (in memory: Ratis and MicroRaft; durable: SOFAJRaft), and
 * the targets, the earlier ones and issue 11's. Only the part between {@link #BEGIN} and {@link #END} is rewritten; the notes around it
 * (profiles, analysis) are kept.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.modpaxos.benchmarks.Report [--load-before='1 5
 * 15'] [--load-after='1 5 15'] <results.json> <out.md> <command that produced the results>}
 */
public final class Report {
  static final String BEGIN = "<!-- GENERATED:BEGIN (benchmarks/run.sh rewrites this part) -->";
  static final String END = "<!-- GENERATED:END -->";
  private static final String[] NODES = {"3", "5"};
  private static final int CORES = Runtime.getRuntime().availableProcessors();
  // Where each cluster row comes from: its JMH class and the params that pick it.
  private static final Row GRPC_MEMORY =
      new Row("modpaxos, gRPC, in-memory store", "GrpcClusterBenchmark", "store=memory");
  private static final Row GRPC_POWER = new Row("modpaxos, gRPC + Chronicle POWER",
      "GrpcClusterBenchmark", "store=chronicle-power");
  private static final Row GRPC_PROCESS = new Row("modpaxos, gRPC + Chronicle PROCESS",
      "GrpcClusterBenchmark", "store=chronicle-process");
  private static final Row LOCAL =
      new Row("modpaxos, local network, in-memory store", "LocalClusterBenchmark");
  private static final Row RATIS =
      new Row("Apache Ratis (gRPC, in-memory log)", "PeerBenchmark", "system=ratis");
  private static final Row MICRORAFT =
      new Row("MicroRaft (in-memory)", "PeerBenchmark", "system=microraft");
  private static final Row SOFAJRAFT =
      new Row("SOFAJRaft (Bolt, RocksDB, fsync)", "PeerBenchmark", "system=sofajraft");

  /** A cluster row: a label, the JMH class, and the params (besides nodes) that select it. */
  private record Row(String label, String type, String... params) {
    String[] with(String nodes) {
      String[] all = Arrays.copyOf(params, params.length + 1);
      all[params.length] = "nodes=" + nodes;
      return all;
    }
  }

  private final JmhResults r;
  private final String loadBefore; // "1 5 15" minute load averages, or null if not recorded
  private final String loadAfter;
  private final StringBuilder md = new StringBuilder();
  private int targetRows; // target() calls so far: an empty targets table is left out

  private Report(JmhResults results, String loadBefore, String loadAfter) {
    this.r = results;
    this.loadBefore = loadBefore;
    this.loadAfter = loadAfter;
  }

  public static void main(String[] args) throws IOException {
    List<String> rest = new ArrayList<>(List.of(args));
    String loadBefore = option(rest, "--load-before=");
    String loadAfter = option(rest, "--load-after=");
    if (rest.size() < 3) {
      System.err.println("usage: Report [--load-before='1 5 15'] [--load-after='1 5 15'] "
          + "<results.json> <out.md> <command...>");
      System.exit(2);
    }
    JmhResults results = JmhResults.read(Path.of(rest.get(0)));
    String command = String.join("\n", rest.subList(2, rest.size()));
    String generated = new Report(results, loadBefore, loadAfter).render(command);
    Path out = Path.of(rest.get(1));
    String doc = Files.exists(out) ? Files.readString(out) : "# Benchmarks\n\n" + BEGIN + "\n" + END + "\n";
    int b = doc.indexOf(BEGIN);
    int e = doc.indexOf(END);
    if (b < 0 || e < b) {
      doc = doc + "\n" + BEGIN + "\n" + END + "\n";
      b = doc.indexOf(BEGIN);
      e = doc.indexOf(END);
    }
    doc = doc.substring(0, b + BEGIN.length()) + "\n" + generated + doc.substring(e);
    if (out.getParent() != null) {
      Files.createDirectories(out.getParent());
    }
    Files.writeString(out, doc, StandardCharsets.UTF_8);
    System.out.println("wrote " + out);
  }

  /** Removes the first argument starting with {@code prefix} and returns its value, or null. */
  private static String option(List<String> args, String prefix) {
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).startsWith(prefix)) {
        return args.remove(i).substring(prefix.length()).trim();
      }
    }
    return null;
  }

  String render(String command) throws IOException {
    machine(command);
    targets();
    durableTargets();
    floor();
    core();
    clusters();
    durable();
    chronicle();
    bank();
    everything();
    return md.toString();
  }

  // ---- sections ---------------------------------------------------------------------------

  private void machine(String command) throws IOException {
    line("Run of " + ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE)
        + " (UTC), written by `Report` from the JMH JSON.");
    line("");
    line("| machine | |");
    line("|---|---|");
    line("| `nproc` | " + Runtime.getRuntime().availableProcessors() + " |");
    line("| CPU | " + cpuModel() + " |");
    line("| `java -version` | " + System.getProperty("java.version") + ", "
        + System.getProperty("java.vm.name") + " "
        + System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vendor")
        + ") |");
    line("| forked JVMs | " + r.jvm() + " |");
    line("| load average (1, 5, 15 min) before the run | " + orDash(loadBefore) + " |");
    line("| load average (1, 5, 15 min) after the run | " + orDash(loadAfter) + " |");
    line("");
    if (busy(loadBefore) || busy(loadAfter)) {
      line("**The machine was busy** (a 1-minute load above its " + CORES + " cores): single"
          + " figures are not comparable with a quiet run; ratios between systems run back to"
          + " back are steadier.");
      line("");
    }
    line("Command:");
    line("");
    line("```");
    line(command);
    line("```");
    line("");
  }

  private void targets() {
    targetTable("### Targets (measured, never asserted)", this::earlierTargets);
  }

  /** Issue 11's targets: the durable path against SOFAJRaft, and the in-memory paths. */
  private void durableTargets() {
    targetTable("### Targets of issue 11 (measured, never asserted)", this::issue11Targets);
  }

  /** A targets table, left out when {@code rows} wrote no target. */
  private void targetTable(String title, Runnable rows) {
    int start = md.length();
    int before = targetRows;
    line(title);
    line("");
    line("| target | measured | met |");
    line("|---|---|---|");
    rows.run();
    if (targetRows == before) {
      md.setLength(start);
    } else {
      line("");
    }
  }

  private void earlierTargets() {
    floorTarget(1.5);
    for (String n : NODES) {
      // Like with like: gRPC against the gRPC peer, in-memory against the in-memory peer.
      throughputTarget(GRPC_MEMORY, RATIS, "Ratis", n, 3);
      throughputTarget(LOCAL, MICRORAFT, "MicroRaft", n, 3);
    }
    List<Result> core = r.find("CoreBenchmark", "chosenEntry");
    if (!core.isEmpty()) {
      Result worst = core.stream().max((a, b) -> Double.compare(a.score(), b.score())).get();
      target("pure core < 1 us per chosen entry (worst configuration)",
          fmt(worst.score()) + " ns (" + worst.paramsText() + ")", worst.score() < 1000);
    }
    // The bank at its launcher's default tick (10 ms); other ticks are what-if runs.
    r.one("BankBenchmark", "officialCsv", "tickMillis=10").ifPresent(b ->
        target("official CSV end to end < 1 s after start-up (judged on p50)",
            "p50 " + fmt(b.percentile("50.0")) + " ms, cold " + fmt(b.percentile("100.0")) + " ms",
            b.percentile("50.0") < 1000));
    r.one("BankBenchmark", "startup5", "tickMillis=10").ifPresent(b ->
        target("5-node start-up < 3 s (judged on the cold run)",
            "p50 " + fmt(b.percentile("50.0")) + " ms, cold " + fmt(b.percentile("100.0")) + " ms",
            b.percentile("100.0") < 3000));
  }

  private void issue11Targets() {
    OptionalDouble sofa = throughput(SOFAJRAFT, "3");
    OptionalDouble power = throughput(GRPC_POWER, "3");
    if (sofa.isPresent() && power.isPresent()) {
      double ratio = power.getAsDouble() / sofa.getAsDouble();
      target("gRPC + Chronicle POWER, 3 nodes, 64 outstanding: >= SOFAJRaft (aim 2x)",
          fmt(power.getAsDouble()) + " ops/s = " + x(ratio) + " SOFAJRaft ("
              + fmt(sofa.getAsDouble()) + ")", ratio >= 1);
    }
    Optional<Result> sofaLat = latency(SOFAJRAFT, "3");
    Optional<Result> powerLat = latency(GRPC_POWER, "3");
    if (sofaLat.isPresent() && powerLat.isPresent()) {
      double ours = powerLat.get().percentile("50.0");
      double theirs = sofaLat.get().percentile("50.0");
      target("gRPC + Chronicle POWER, 3 nodes: p50 commit latency <= SOFAJRaft's",
          fmt(ours) + " us = " + x(ours / theirs) + " SOFAJRaft (" + fmt(theirs) + " us)",
          ours <= theirs);
    }
    OptionalDouble process = throughput(GRPC_PROCESS, "3");
    if (sofa.isPresent() && process.isPresent()) {
      double ratio = process.getAsDouble() / sofa.getAsDouble();
      target("gRPC + Chronicle PROCESS, 3 nodes, 64 outstanding: >= 3x SOFAJRaft",
          fmt(process.getAsDouble()) + " ops/s = " + x(ratio) + " SOFAJRaft", ratio >= 3);
    }
    for (String n : NODES) {
      throughputTarget(LOCAL, MICRORAFT, "MicroRaft", n, 1.5);
    }
    floorTarget(3);
  }

  /** gRPC with the in-memory store, 5 nodes: p50 commit latency within factor x the floor's p50. */
  private void floorTarget(double factor) {
    OptionalDouble floorP50 = floorP50();
    Optional<Result> grpc5 = latency(GRPC_MEMORY, "5");
    if (grpc5.isPresent() && floorP50.isPresent()) {
      double ratio = grpc5.get().percentile("50.0") / floorP50.getAsDouble();
      target("gRPC, in-memory store, 5 nodes: p50 commit latency <= " + times(factor)
              + " floor p50 round trip",
          fmt(grpc5.get().percentile("50.0")) + " us = " + x(ratio) + " floor", ratio <= factor);
    }
  }

  private void throughputTarget(Row mine, Row peer, String peerName, String n, double factor) {
    OptionalDouble ours = throughput(mine, n);
    OptionalDouble theirs = throughput(peer, n);
    OptionalDouble faster = fasterPeer(n);
    if (ours.isPresent() && theirs.isPresent() && faster.isPresent()) {
      double ratio = ours.getAsDouble() / theirs.getAsDouble();
      target(mine.label() + ", " + n + " nodes, 64 outstanding: >= " + times(factor) + " "
              + peerName,
          fmt(ours.getAsDouble()) + " ops/s = " + x(ratio) + " " + peerName + " ("
              + x(ours.getAsDouble() / faster.getAsDouble()) + " the faster peer overall)",
          ratio >= factor);
    }
  }

  private void floor() {
    List<Result> rt = r.find("FloorBenchmark", "roundTrip");
    if (rt.isEmpty()) {
      return;
    }
    line("### FloorBenchmark: raw gRPC unary round trip on 127.0.0.1 (64 B request, 16 B reply)");
    line("");
    line("| p50 us | p99 us | mean us | calls/s, 64 outstanding |");
    line("|---|---|---|---|");
    Result f = rt.get(0);
    line("| " + fmt(f.percentile("50.0")) + " | " + fmt(f.percentile("99.0")) + " | "
        + fmt(f.score()) + " | " + score("FloorBenchmark", "throughput64").stream()
            .mapToObj(Report::fmt).findFirst().orElse("-") + " |");
    line("");
  }

  private void core() {
    List<Result> core = r.find("CoreBenchmark", "chosenEntry");
    if (core.isEmpty()) {
      return;
    }
    line("### CoreBenchmark: the pure protocol on one thread, no I/O");
    line("");
    line("| nodes | submits at | store writes | ns per chosen entry (CPU) | ± | chosen entries/s |");
    line("|---|---|---|---|---|---|");
    for (Result c : core) {
      line("| " + c.params().get("nodes") + " | " + c.params().get("submitAt") + " | "
          + c.params().get("store") + " | " + fmt(c.score()) + " | " + fmt(c.error()) + " | "
          + fmt(1e9 / c.score()) + " |");
    }
    line("");
  }

  private void clusters() {
    if (r.find("GrpcClusterBenchmark", "commitLatency").isEmpty()
        && r.find("LocalClusterBenchmark", "commitLatency").isEmpty()
        && r.find("PeerBenchmark", "commitLatency").isEmpty()) {
      return;
    }
    OptionalDouble floor = floorP50();
    line("### Clusters in memory: the transfer workload (5 accounts, 32-byte commands, one client)");
    line("");
    line("Commit latency with one command outstanding, and throughput with 64 outstanding. "
        + "modpaxos and MicroRaft keep their logs in memory, Ratis uses its in-memory log: "
        + "consensus and transport, not the disk. The durable rows follow in the next table.");
    line("");
    line("| system | nodes | p50 us | p99 us | p50 / floor p50 | ops/s, 64 outstanding "
        + "| / Ratis | / MicroRaft |");
    line("|---|---|---|---|---|---|---|---|");
    for (String n : NODES) {
      OptionalDouble ratis = throughput(RATIS, n);
      OptionalDouble micro = throughput(MICRORAFT, n);
      for (Row row : List.of(GRPC_MEMORY, LOCAL, RATIS, MICRORAFT)) {
        Optional<Result> lat = latency(row, n);
        OptionalDouble tput = throughput(row, n);
        if (lat.isEmpty() && tput.isEmpty()) {
          continue;
        }
        String vsFloor = lat.isPresent() && floor.isPresent()
            ? x(lat.get().percentile("50.0") / floor.getAsDouble()) : "-";
        line("| " + row.label() + " | " + n + " | " + p(lat, "50.0") + " | " + p(lat, "99.0")
            + " | " + vsFloor + " | " + num(tput) + " | " + ratio(tput, ratis) + " | "
            + ratio(tput, micro) + " |");
      }
    }
    line("");
  }

  /** modpaxos on gRPC with Chronicle stores against SOFAJRaft (RocksDB, fsync per batch). */
  private void durable() {
    if (r.find("PeerBenchmark", "commitLatency", "system=sofajraft").isEmpty()
        && r.find("GrpcClusterBenchmark", "commitLatency", "store=chronicle-power").isEmpty()
        && r.find("GrpcClusterBenchmark", "commitLatency", "store=chronicle-process").isEmpty()) {
      return;
    }
    line("### Durable clusters: modpaxos on gRPC + Chronicle against SOFAJRaft");
    line("");
    line("The same workload with every node's log on disk in a temp folder: SOFAJRaft's RocksDB"
        + " log fsyncs once per appended batch (`RaftOptions.sync`, its default); Chronicle POWER"
        + " fdatasyncs its write-ahead journal on every `sync()` (survives power loss), PROCESS"
        + " only writes to the page cache"
        + " (survives a killed process, not a crashed host). Ratios are to SOFAJRaft at the same"
        + " node count, in this run.");
    line("");
    line("| system | nodes | p50 us | p99 us | p50 / SOFAJRaft p50 | ops/s, 64 outstanding "
        + "| / SOFAJRaft |");
    line("|---|---|---|---|---|---|---|");
    for (String n : NODES) {
      Optional<Result> sofaLat = latency(SOFAJRAFT, n);
      OptionalDouble sofa = throughput(SOFAJRAFT, n);
      for (Row row : List.of(SOFAJRAFT, GRPC_POWER, GRPC_PROCESS)) {
        Optional<Result> lat = latency(row, n);
        OptionalDouble tput = throughput(row, n);
        if (lat.isEmpty() && tput.isEmpty()) {
          continue;
        }
        String vsSofa = lat.isPresent() && sofaLat.isPresent()
            ? x(lat.get().percentile("50.0") / sofaLat.get().percentile("50.0")) : "-";
        line("| " + row.label() + " | " + n + " | " + p(lat, "50.0") + " | " + p(lat, "99.0")
            + " | " + vsSofa + " | " + num(tput) + " | " + ratio(tput, sofa) + " |");
      }
    }
    line("");
  }

  private void chronicle() {
    List<Result> lat = r.find("ChronicleStoreBenchmark", "writeLatency");
    if (lat.isEmpty()) {
      return;
    }
    line("### ChronicleStoreBenchmark: one local-log append plus sync (a submit's persistence)");
    line("");
    line("| durability | p50 us | p99 us | writes/s |");
    line("|---|---|---|---|");
    for (Result l : lat) {
      String mode = l.params().get("durability");
      line("| " + mode + " | " + fmt(l.percentile("50.0")) + " | " + fmt(l.percentile("99.0"))
          + " | " + score("ChronicleStoreBenchmark", "writeThroughput", "durability=" + mode)
              .stream().mapToObj(Report::fmt).findFirst().orElse("-") + " |");
    }
    line("");
  }

  private void bank() {
    List<Result> csv = r.find("BankBenchmark", "officialCsv");
    List<Result> startup = r.find("BankBenchmark", "startup5");
    if (csv.isEmpty() && startup.isEmpty()) {
      return;
    }
    line("### BankBenchmark: the bank example end to end (5 servers, gRPC, Chronicle POWER)");
    line("");
    line("A fresh cluster per iteration and no warm-up: the maximum is the cold first run, p50 a"
        + " warm one. Latency is per `transfer` call at the sender's server, by what the server"
        + " reported: local (funded, no round), consensus (it ran a round first), pending (still"
        + " short after its round).");
    line("");
    line("| tick ms | start-up p50 ms | start-up cold ms | CSV p50 ms | CSV cold ms | transfers/s "
        + "| local: per run, mean ms | consensus: per run, mean ms | pending: per run, mean ms |");
    line("|---|---|---|---|---|---|---|---|---|");
    for (Result c : csv) {
      String tick = c.params().get("tickMillis");
      Optional<Result> up = r.one("BankBenchmark", "startup5", "tickMillis=" + tick);
      double transfers = c.secondaryMean("executedAtEnd") + c.secondaryMean("pendingAtEnd");
      line("| " + tick + " | " + up.map(u -> fmt(u.percentile("50.0"))).orElse("-") + " | "
          + up.map(u -> fmt(u.percentile("100.0"))).orElse("-") + " | "
          + fmt(c.percentile("50.0")) + " | " + fmt(c.percentile("100.0")) + " | "
          + fmt(transfers / (c.percentile("50.0") / 1000)) + " | " + kind(c, "local") + " | "
          + kind(c, "consensus") + " | " + kind(c, "pending") + " |");
    }
    line("");
  }

  /** "26, 1.71": transfers of that kind per run and their mean latency in milliseconds. */
  private static String kind(Result c, String kind) {
    String countName = kind.equals("pending") ? "pendingCalls" : kind + "Transfers";
    double count = c.secondaryMean(countName);
    double micros = c.secondaryMean(kind + "MicrosTotal");
    return fmt(count) + ", " + (count > 0 ? fmt(micros / count / 1000) : "-");
  }

  private void everything() {
    line("<details><summary>Every result of the run</summary>");
    line("");
    line("| benchmark | params | mode | score | ± | p50 | p99 | unit |");
    line("|---|---|---|---|---|---|---|---|");
    for (Result x : r.all()) {
      boolean sample = !x.percentiles().isEmpty() && x.mode().equals("sample");
      line("| " + x.type() + "." + x.method() + " | " + x.paramsText() + " | " + x.mode() + " | "
          + fmt(x.score()) + " | " + fmt(x.error()) + " | "
          + (sample ? fmt(x.percentile("50.0")) : "") + " | "
          + (sample ? fmt(x.percentile("99.0")) : "") + " | " + x.unit() + " |");
    }
    line("");
    line("</details>");
  }

  // ---- helpers ----------------------------------------------------------------------------

  private Optional<Result> latency(Row row, String nodes) {
    return r.one(row.type(), "commitLatency", row.with(nodes));
  }

  private OptionalDouble throughput(Row row, String nodes) {
    return score(row.type(), "throughput64", row.with(nodes));
  }

  private static String p(Optional<Result> latency, String percentile) {
    return latency.map(l -> fmt(l.percentile(percentile))).orElse("-");
  }

  private static String num(OptionalDouble v) {
    return v.isPresent() ? fmt(v.getAsDouble()) : "-";
  }

  private static String orDash(String s) {
    return s == null || s.isBlank() ? "-" : s;
  }

  /** True if the first (1-minute) figure of a recorded load average exceeds the cores. */
  private static boolean busy(String load) {
    if (load == null || load.isBlank()) {
      return false;
    }
    try {
      return Double.parseDouble(load.trim().split("\\s+")[0]) > CORES;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** "3x", "1.5x": a target's factor. */
  private static String times(double factor) {
    return (factor == Math.rint(factor) ? String.valueOf((long) factor) : String.valueOf(factor))
        + "x";
  }

  private OptionalDouble floorP50() {
    return r.one("FloorBenchmark", "roundTrip")
        .map(f -> OptionalDouble.of(f.percentile("50.0")))
        .orElse(OptionalDouble.empty());
  }

  private OptionalDouble fasterPeer(String nodes) {
    return r.find("PeerBenchmark", "throughput64", "nodes=" + nodes).stream()
        .mapToDouble(Result::score)
        .max();
  }

  private OptionalDouble score(String type, String method, String... params) {
    return r.one(type, method, params)
        .map(x -> OptionalDouble.of(x.score()))
        .orElse(OptionalDouble.empty());
  }

  private void target(String what, String measured, boolean met) {
    targetRows++;
    line("| " + what + " | " + measured + " | " + (met ? "yes" : "**no**") + " |");
  }

  private static String ratio(OptionalDouble a, OptionalDouble b) {
    return a.isPresent() && b.isPresent() ? x(a.getAsDouble() / b.getAsDouble()) : "-";
  }

  private static String x(double ratio) {
    return String.format(Locale.ROOT, "%.2fx", ratio);
  }

  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    double a = Math.abs(v);
    String f = a >= 1000 ? "%,.0f" : a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : "%.2f";
    return String.format(Locale.ROOT, f, v);
  }

  private static String cpuModel() throws IOException {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (!Files.exists(cpuinfo)) {
      return System.getProperty("os.arch");
    }
    return Files.readAllLines(cpuinfo).stream()
        .filter(l -> l.startsWith("model name"))
        .map(l -> l.substring(l.indexOf(':') + 1).trim())
        .findFirst()
        .orElse(System.getProperty("os.arch"));
  }

  private void line(String s) {
    md.append(s).append('\n');
  }
}
