package dev.modpaxos.bank.chaos;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The history of a chaos run: every operation's invocation and outcome, late answers, and the
 * faults injected, one tab-separated line each (time in ms since the start first):
 *
 * <pre>
 * invoke  op client transferId from to amount
 * ok|failed|unknown  op detail
 * late    op answer          (an answer that came after the client gave up)
 * acked   op detail          (the server acknowledged op as executed later: in a late answer, or
 *                             listed as executed in the answer to a later op; counts as ok)
 * fault   kind detail        (kill, restart, disconnect, connect, pause, resume, heal; the
 *                             network and sync faults split, oneway, lossy, syncfail, slowsync,
 *                             each undone by healed; and the disk and process faults: wipe,
 *                             readmitted, corrupt, diskfull, diskfree, killall, restartall,
 *                             longpause, longresume; overlap, overlapend: a second server
 *                             paused during a disconnect or a network fault)
 * breach  detail             (a fault's own check failed, e.g. a wiped server voted at once)
 * probe   op what            (op is a probe of the driver, e.g. the liveness probe after healing)
 * </pre>
 *
 * {@link Recorder} writes it during a run; {@link #parse} reads it back for the checkers, so a
 * checker can also be fed a doctored history.
 */
final class History {
  /** One transfer the driver submitted. */
  record Invocation(long op, int client, long transferId, int from, int to, long amount) {}

  enum Outcome { OK, FAILED, UNKNOWN }

  /** One fault line: when (ms since the start), its kind and detail. */
  record FaultLine(long millis, String kind, String detail) {}

  private final Map<Long, Invocation> invocations = new LinkedHashMap<>();
  private final Map<Long, Outcome> outcomes = new HashMap<>();
  private final Map<String, Integer> faults = new HashMap<>();
  private final List<FaultLine> faultLines = new ArrayList<>();
  private final List<String> breaches = new ArrayList<>();
  // op -> ms of its invocation, and of its first ok (or acked) line.
  private final Map<Long, Long> invokedMillis = new HashMap<>();
  private final Map<Long, Long> okMillis = new HashMap<>();
  private final Map<Long, String> probes = new LinkedHashMap<>();

  static History parse(List<String> lines) {
    History h = new History();
    for (String line : lines) {
      String[] f = line.split("\t");
      if (f.length < 3) {
        continue;
      }
      long millis = Long.parseLong(f[0]);
      switch (f[1]) {
        case "invoke" -> {
          Invocation i = new Invocation(Long.parseLong(f[2]), Integer.parseInt(f[3]),
              Long.parseLong(f[4]), Integer.parseInt(f[5]), Integer.parseInt(f[6]),
              Long.parseLong(f[7]));
          h.invocations.put(i.op(), i);
          h.invokedMillis.put(i.op(), millis);
        }
        case "ok", "acked" -> {
          h.outcomes.put(Long.parseLong(f[2]), Outcome.OK);
          h.okMillis.putIfAbsent(Long.parseLong(f[2]), millis);
        }
        case "failed" -> h.outcomes.put(Long.parseLong(f[2]), Outcome.FAILED);
        case "unknown" -> h.outcomes.putIfAbsent(Long.parseLong(f[2]), Outcome.UNKNOWN);
        case "fault" -> {
          h.faults.merge(f[2], 1, Integer::sum);
          h.faultLines.add(new FaultLine(millis, f[2], f.length > 3 ? f[3] : ""));
        }
        case "breach" -> h.breaches.add(f[2]);
        case "probe" -> h.probes.put(Long.parseLong(f[2]), f.length > 3 ? f[3] : "");
        default -> { } // late answers and notes are for people
      }
    }
    return h;
  }

  static History read(Path file) throws IOException {
    return parse(Files.readAllLines(file, StandardCharsets.UTF_8));
  }

  List<Invocation> invocations() {
    return List.copyOf(invocations.values());
  }

  /** The outcome of {@code op}; an operation that never completed is unknown. */
  Outcome outcome(long op) {
    return outcomes.getOrDefault(op, Outcome.UNKNOWN);
  }

  long count(Outcome o) {
    return invocations.keySet().stream().filter(op -> outcome(op) == o).count();
  }

  int faults(String kind) {
    return faults.getOrDefault(kind, 0);
  }

  /** Every fault line, in time order. */
  List<FaultLine> faultLines() {
    return List.copyOf(faultLines);
  }

  /** The failed checks of the faults themselves (breach lines). */
  List<String> breaches() {
    return List.copyOf(breaches);
  }

  /** The driver's probe operations (op to what it probes), in order. */
  Map<Long, String> probes() {
    return Collections.unmodifiableMap(probes);
  }

  /**
   * True if server {@code server}'s data directory was wiped (a {@code wipe} fault line) after
   * {@code op} was acknowledged: what its local log held then was lost with the disk, by design.
   */
  boolean wipedAfterAcknowledgement(int server, long op) {
    long acked = okMillis(op);
    return acked >= 0 && faultLines.stream().anyMatch(f -> f.kind().equals("wipe")
        && f.detail().matches("S" + server + "\\b.*") && f.millis() >= acked);
  }

  /** When {@code op} was invoked, in ms since the start (-1 if never). */
  long invokedMillis(long op) {
    return invokedMillis.getOrDefault(op, -1L);
  }

  /** When {@code op} was first acknowledged ok, in ms since the start (-1 if never). */
  long okMillis(long op) {
    return okMillis.getOrDefault(op, -1L);
  }

  /** The times (ms since the start) of every acknowledgement, sorted. */
  List<Long> acknowledgementMillis() {
    return okMillis.values().stream().sorted().toList();
  }

  /** Transfer ids acknowledged ok. */
  Set<Long> acknowledged() {
    Set<Long> ids = new HashSet<>();
    invocations.values().forEach(i -> {
      if (outcome(i.op()) == Outcome.OK) {
        ids.add(i.transferId());
      }
    });
    return Collections.unmodifiableSet(ids);
  }

  /** Invocations by transfer id. */
  Map<Long, Invocation> byTransferId() {
    Map<Long, Invocation> m = new HashMap<>();
    invocations.values().forEach(i -> m.put(i.transferId(), i));
    return m;
  }

  /** Appends history lines to a file as the run goes. Thread-safe. */
  static final class Recorder implements AutoCloseable {
    private final BufferedWriter out;
    private final long startNanos = System.nanoTime();
    private final List<String> lines = new ArrayList<>();

    Recorder(Path file) throws IOException {
      out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    }

    synchronized void invoke(Invocation i) {
      write("invoke", i.op(), i.client(), i.transferId(), i.from(), i.to(), i.amount());
    }

    synchronized void outcome(long op, Outcome o, String detail) {
      write(o.name().toLowerCase(java.util.Locale.ROOT), op, detail);
    }

    synchronized void late(long op, String answer) {
      write("late", op, answer);
    }

    synchronized void acknowledgedLater(long op, String detail) {
      write("acked", op, detail);
    }

    synchronized void fault(String kind, String detail) {
      write("fault", kind, detail);
    }

    synchronized void note(String text) {
      write("note", text);
    }

    synchronized void breach(String detail) {
      write("breach", detail);
    }

    synchronized void probe(long op, String what) {
      write("probe", op, what);
    }

    private void write(Object... fields) {
      StringBuilder b = new StringBuilder().append((System.nanoTime() - startNanos) / 1_000_000);
      for (Object f : fields) {
        b.append('\t').append(f);
      }
      lines.add(b.toString());
      try {
        out.write(b.append('\n').toString());
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    synchronized History history() {
      return parse(lines);
    }

    @Override
    public synchronized void close() throws IOException {
      out.close();
    }
  }
}
