package dev.modpaxos.benchmarks;

import dev.modpaxos.benchmarks.JmhResults.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Turns the JMH JSON of one run into the markdown tables of docs/BENCHMARKS.md: the machine, the
 * exact command, each benchmark's figures, the ratios to the floor and to the peers, and the
 * targets. Only the part between {@link #BEGIN} and {@link #END} is rewritten; the notes around it
 * (profiles, analysis) are kept.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.modpaxos.benchmarks.Report <results.json>
 * <out.md> <command that produced the results>}
 */
public final class Report {
  static final String BEGIN = "<!-- GENERATED:BEGIN (benchmarks/run.sh rewrites this part) -->";
  static final String END = "<!-- GENERATED:END -->";
  private static final String[] NODES = {"3", "5"};

  private final JmhResults r;
  private final StringBuilder md = new StringBuilder();

  private Report(JmhResults results) {
    this.r = results;
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 3) {
      System.err.println("usage: Report <results.json> <out.md> <command...>");
      System.exit(2);
    }
    JmhResults results = JmhResults.read(Path.of(args[0]));
    String command = String.join("\n", List.of(args).subList(2, args.length));
    String generated = new Report(results).render(command);
    Path out = Path.of(args[1]);
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

  String render(String command) throws IOException {
    machine(command);
    targets();
    floor();
    core();
    clusters();
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
    line("");
    line("Command:");
    line("");
    line("```");
    line(command);
    line("```");
    line("");
  }

  private void targets() {
    line("### Targets (measured, never asserted)");
    line("");
    line("| target | measured | met |");
    line("|---|---|---|");
    OptionalDouble floorP50 = floorP50();
    Optional<Result> grpc5 =
        r.one("GrpcClusterBenchmark", "commitLatency", "transport=grpc", "nodes=5");
    if (grpc5.isPresent() && floorP50.isPresent()) {
      double ratio = grpc5.get().percentile("50.0") / floorP50.getAsDouble();
      target("gRPC, 5 nodes: p50 commit latency <= 1.5x floor p50 round trip",
          fmt(grpc5.get().percentile("50.0")) + " us = " + x(ratio) + " floor", ratio <= 1.5);
    }
    for (String n : NODES) {
      // Like with like: gRPC against the gRPC peer, in-memory against the in-memory peer.
      throughputTarget("gRPC", "transport=grpc", "Ratis", "system=ratis", n);
      throughputTarget("local network", "transport=local", "MicroRaft", "system=microraft", n);
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
    line("");
  }

  private void throughputTarget(String mine, String transport, String peer, String system, String n) {
    OptionalDouble ours = score("GrpcClusterBenchmark", "throughput64", transport, "nodes=" + n);
    OptionalDouble theirs = score("PeerBenchmark", "throughput64", system, "nodes=" + n);
    OptionalDouble faster = fasterPeer(n);
    if (ours.isPresent() && theirs.isPresent() && faster.isPresent()) {
      double ratio = ours.getAsDouble() / theirs.getAsDouble();
      target(mine + ", " + n + " nodes, 64 outstanding: >= 3x " + peer,
          fmt(ours.getAsDouble()) + " ops/s = " + x(ratio) + " " + peer + " ("
              + x(ours.getAsDouble() / faster.getAsDouble()) + " the faster peer overall)",
          ratio >= 3);
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
        && r.find("PeerBenchmark", "commitLatency").isEmpty()) {
      return;
    }
    OptionalDouble floor = floorP50();
    line("### Clusters: the transfer workload (5 accounts, 32-byte commands, one client)");
    line("");
    line("Commit latency with one command outstanding, and throughput with 64 outstanding. "
        + "modpaxos and MicroRaft keep their logs in memory, Ratis uses its in-memory log.");
    line("");
    line("| system | nodes | p50 us | p99 us | p50 / floor p50 | ops/s, 64 outstanding "
        + "| / Ratis | / MicroRaft |");
    line("|---|---|---|---|---|---|---|---|");
    for (String n : NODES) {
      OptionalDouble ratis = score("PeerBenchmark", "throughput64", "system=ratis", "nodes=" + n);
      OptionalDouble micro = score("PeerBenchmark", "throughput64", "system=microraft", "nodes=" + n);
      clusterRow("modpaxos, gRPC", "GrpcClusterBenchmark", "transport=grpc", n, floor, ratis, micro);
      clusterRow("modpaxos, local", "GrpcClusterBenchmark", "transport=local", n, floor, ratis, micro);
      clusterRow("Apache Ratis (gRPC)", "PeerBenchmark", "system=ratis", n, floor, ratis, micro);
      clusterRow("MicroRaft (in-memory)", "PeerBenchmark", "system=microraft", n, floor, ratis, micro);
    }
    line("");
  }

  private void clusterRow(String label, String type, String which, String n, OptionalDouble floor,
      OptionalDouble ratis, OptionalDouble micro) {
    Optional<Result> lat = r.one(type, "commitLatency", which, "nodes=" + n);
    OptionalDouble tput = score(type, "throughput64", which, "nodes=" + n);
    if (lat.isEmpty() && tput.isEmpty()) {
      return;
    }
    String p50 = lat.map(l -> fmt(l.percentile("50.0"))).orElse("-");
    String p99 = lat.map(l -> fmt(l.percentile("99.0"))).orElse("-");
    String vsFloor = lat.isPresent() && floor.isPresent()
        ? x(lat.get().percentile("50.0") / floor.getAsDouble()) : "-";
    line("| " + label + " | " + n + " | " + p50 + " | " + p99 + " | " + vsFloor + " | "
        + (tput.isPresent() ? fmt(tput.getAsDouble()) : "-") + " | " + ratio(tput, ratis) + " | "
        + ratio(tput, micro) + " |");
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
