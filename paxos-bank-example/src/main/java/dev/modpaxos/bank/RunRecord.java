package dev.modpaxos.bank;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * What a run with Chronicle stores leaves in its data directory besides the stores, in {@code
 * bank-run.properties}: the input, the last set done, and the transfers still owed to servers
 * (pending or undelivered) with their sets. A reused {@code --data-dir} is resumed from it, never
 * replayed. Written after every set, atomically.
 *
 * @param input the input as the banner names it ("bundled lab1_Test.csv" or the path)
 * @param lastSet the number of the last set done
 * @param owed transfers not executed when the run stopped, in the order first sent
 * @param owedSets the set of each owed transfer
 */
record RunRecord(String input, int lastSet, List<Transfer> owed, List<Integer> owedSets) {
  static final String FILE = "bank-run.properties";

  static Path file(Path dataDir) {
    return dataDir.resolve(FILE);
  }

  /** True if {@code dataDir} holds a store of some server (a run or an init left it there). */
  static boolean holdsStores(Path dataDir) {
    for (int id : Servers.IDS) {
      Path d = dataDir.resolve(Servers.name(id));
      try (var s = Files.isDirectory(d) ? Files.list(d) : null) {
        if (s != null && s.findAny().isPresent()) {
          return true;
        }
      } catch (IOException e) {
        return true;
      }
    }
    return false;
  }

  /** The record in {@code dataDir}, or null if there is none. */
  static RunRecord read(Path dataDir) throws IOException {
    Path f = file(dataDir);
    if (!Files.isRegularFile(f)) {
      return null;
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    List<Transfer> owed = new ArrayList<>();
    List<Integer> sets = new ArrayList<>();
    String o = p.getProperty("owed", "").trim();
    try {
      for (String t : o.isEmpty() ? new String[0] : o.split(";")) {
        String[] f5 = t.split(":");
        owed.add(new Transfer(Long.parseLong(f5[0]), Integer.parseInt(f5[1]),
            Integer.parseInt(f5[2]), Long.parseLong(f5[3])));
        sets.add(Integer.parseInt(f5[4]));
      }
      return new RunRecord(p.getProperty("input", "?"),
          Integer.parseInt(p.getProperty("lastSet", "0")), owed, sets);
    } catch (RuntimeException e) {
      throw new IOException(f + " is damaged: " + e.getMessage());
    }
  }

  void write(Path dataDir) {
    Properties p = new Properties();
    p.setProperty("input", input);
    p.setProperty("lastSet", Integer.toString(lastSet));
    StringBuilder o = new StringBuilder();
    for (int i = 0; i < owed.size(); i++) {
      Transfer t = owed.get(i);
      o.append(i == 0 ? "" : ";").append(t.id()).append(':').append(t.from()).append(':')
          .append(t.to()).append(':').append(t.amount()).append(':').append(owedSets.get(i));
    }
    p.setProperty("owed", o.toString());
    Path tmp = dataDir.resolve(FILE + ".tmp");
    try {
      try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        p.store(w, "modpaxos bank run: resume with --data-dir " + dataDir + " --resume");
      }
      Files.move(tmp, file(dataDir), StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file(dataDir), e);
    }
  }
}
