package dev.modpaxos.bank;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The single-JVM mode's data directories: a reused {@code --data-dir} is resumed or refused (never
 * replayed onto old state), old {@code data/run-*} directories are pruned, and a run records its
 * progress after every set ({@link RunRecord}). Stateless.
 */
final class DataDirs {
  private DataDirs() {}

  /**
   * Checks a {@code --data-dir} before a run. A directory without stores starts fresh (null). One
   * with a run record is resumed if {@code resume} and the input is the same (the record), else
   * refused with a {@link BankMain.UserError} that says how to go on.
   */
  static RunRecord checkReuse(Path dir, String input, boolean resume) throws IOException {
    RunRecord r = RunRecord.read(dir);
    if (r == null && !RunRecord.holdsStores(dir)) {
      if (resume) {
        throw new BankMain.UserError(dir + " holds no earlier run to resume; drop --resume to"
            + " start one there");
      }
      return null;
    }
    if (r == null) {
      throw new BankMain.UserError(dir + " holds server stores but no run record (" + RunRecord.FILE
          + "), so it cannot be resumed; use a new --data-dir, or remove " + dir + " to start"
          + " fresh there");
    }
    if (!resume) {
      throw new BankMain.UserError(dir + " holds an earlier run of " + r.input() + " (sets up to "
          + r.lastSet() + " done); add --resume to continue it, or use a new --data-dir, or"
          + " remove " + dir + " to start fresh there");
    }
    if (!r.input().equals(input)) {
      throw new BankMain.UserError(dir + " holds a run of " + r.input() + ", not of " + input
          + "; resume it with that input, or use a new --data-dir");
    }
    return r;
  }

  /** Records, after a set, what a resumed run needs. */
  static void record(Path dir, String input, Session s) {
    List<Transfer> owed = new ArrayList<>();
    List<Integer> sets = new ArrayList<>();
    for (SetRunner.Tracked t : s.runner().tracked()) {
      if (t.status() == TransferResult.Status.PENDING
          || t.status() == TransferResult.Status.UNDELIVERED) {
        owed.add(t.transfer());
        sets.add(t.set());
      }
    }
    new RunRecord(input, s.lastSetDone(), owed, sets).write(dir);
  }

  /**
   * Removes all but the newest {@code keep} of {@code parent/run-*} and says on {@code out} what
   * it removed. Returns how many it removed.
   */
  static int pruneRuns(Path parent, int keep, PrintStream out) throws IOException {
    if (!Files.isDirectory(parent)) {
      return 0;
    }
    List<Path> runs;
    try (Stream<Path> s = Files.list(parent)) {
      runs = new ArrayList<>(s.filter(p -> p.getFileName().toString().matches("run-\\d+")
          && Files.isDirectory(p)).sorted(Comparator.comparing(
              (Path p) -> Long.parseLong(p.getFileName().toString().substring(4)))).toList());
    }
    int remove = Math.max(0, runs.size() - Math.max(0, keep));
    long bytes = 0;
    for (Path run : runs.subList(0, remove)) {
      bytes += delete(run);
    }
    if (remove > 0) {
      out.printf("bank: removed %s from %s (%d MB apparent size), keeping the newest %d;"
              + " ./bank clean removes them all%n", Printer.plural(remove, "old run"), parent,
          bytes >> 20, Math.max(0, keep));
    }
    return remove;
  }

  /** Deletes a directory tree; returns the apparent size of the files it held. */
  private static long delete(Path dir) throws IOException {
    long[] bytes = {0};
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        if (Files.isRegularFile(p)) {
          bytes[0] += Files.size(p);
        }
        Files.delete(p);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return bytes[0];
  }
}
