package dev.modpaxos.bank;

import dev.modpaxos.bank.TransferSet.RowProblem;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads the sets of an input file. Columns: set number, transfer(s), live servers. Accepted
 * variants: CRLF or LF; set number and live list on a set's first row only, or repeated on every
 * row; an optional header row; several transfers in one (multi-line) cell; optional spaces; a
 * UTF-8 byte-order mark.
 *
 * <p>A malformed row is reported with its line number and reason, and nothing from it runs; the
 * rest of the file still does. Rows that continue a set whose first row was unusable are reported
 * too. A CSV syntax error (an unclosed quote) ends the parse at that point.
 */
public final class CsvSets {
  private static final Pattern TRANSFER = Pattern.compile("\\(([^()]*)\\)");
  private static final Pattern SEPARATORS = Pattern.compile("[\\s,;]*");
  private static final CSVFormat FORMAT =
      CSVFormat.DEFAULT.builder()
          .setIgnoreSurroundingSpaces(true)
          .setIgnoreEmptyLines(true)
          .get();

  /** The parsed sets in file order, and the problems not attributable to one set. */
  public record Parsed(List<TransferSet> sets, List<RowProblem> problems) {
    /** Every problem: the file's own and those of each set, by line. */
    public List<RowProblem> allProblems() {
      List<RowProblem> all = new ArrayList<>(problems);
      sets.forEach(s -> all.addAll(s.rejected()));
      all.sort((a, b) -> Long.compare(a.line(), b.line()));
      return all;
    }
  }

  private final long idBase;
  private long nextOrdinal;
  private final List<TransferSet> sets = new ArrayList<>();
  private final List<RowProblem> fileProblems = new ArrayList<>();
  private final Set<Integer> seenNumbers = new HashSet<>();
  // The set being read: null before the first set, or after a set whose first row was unusable.
  private SetBuilder current;
  private boolean brokenSet;

  private CsvSets(long idBase) {
    this.idBase = idBase;
  }

  /** Parses {@code text}; transfer ids are {@code idBase + 1, idBase + 2, ...} in file order. */
  public static Parsed parse(String text, long idBase) {
    CsvSets p = new CsvSets(idBase);
    p.run(text.startsWith("\uFEFF") ? text.substring(1) : text);
    return new Parsed(List.copyOf(p.sets), List.copyOf(p.fileProblems));
  }

  private void run(String text) {
    LineCounter lines = new LineCounter(text);
    boolean first = true;
    try (CSVParser parser = CSVParser.parse(new StringReader(text), FORMAT)) {
      for (CSVRecord r : parser) {
        long line = lines.lineAt(r.getCharacterPosition());
        if (first && isHeader(r)) {
          first = false;
          continue;
        }
        first = false;
        onRow(r, line);
      }
    } catch (IOException | UncheckedIOException | IllegalStateException e) {
      fileProblems.add(
          new RowProblem(lines.lineCount(), "CSV syntax error, rest of file ignored: " + message(e)));
    }
    finishSet();
  }

  private static boolean isHeader(CSVRecord r) {
    String c0 = r.get(0);
    return !c0.isEmpty() && !c0.chars().allMatch(Character::isDigit) && !r.get(0).contains("(")
        && (r.size() < 2 || !r.get(1).contains("("));
  }

  private void onRow(CSVRecord r, long line) {
    String setCell = r.get(0);
    String transferCell = r.size() > 1 ? r.get(1) : "";
    String liveCell = r.size() > 2 ? r.get(2) : "";
    for (int i = 3; i < r.size(); i++) {
      if (!r.get(i).isEmpty()) {
        reject(line, "unexpected extra column " + (i + 1) + ": '" + r.get(i) + "'");
        return;
      }
    }
    if (!setCell.isEmpty()) {
      if (!startOrContinueSet(setCell, liveCell, line)) {
        return;
      }
    } else if (!liveCell.isEmpty()) {
      reject(line, "a live list without a set number");
      return;
    }
    if (current == null) {
      reject(line, brokenSet
          ? "belongs to a set whose first row was rejected"
          : "no set started yet (the first row of a set needs its number and live list)");
      return;
    }
    addTransfers(transferCell, line);
  }

  /** Returns false if the row is rejected. */
  private boolean startOrContinueSet(String setCell, String liveCell, long line) {
    int number;
    try {
      number = parsePositive(setCell, "set number");
    } catch (IllegalArgumentException e) {
      finishSet();
      brokenSet = true;
      reject(line, e.getMessage());
      return false;
    }
    SortedSet<Integer> live;
    try {
      live = liveCell.isEmpty() && current != null && current.number == number
          ? current.live
          : parseLive(liveCell);
    } catch (IllegalArgumentException e) {
      if (current == null || current.number != number) {
        finishSet();
        brokenSet = true;
      }
      reject(line, e.getMessage());
      return false;
    }
    if (current != null && current.number == number) {
      if (!live.equals(current.live)) {
        reject(line, "live list " + names(live) + " differs from set " + number + "'s "
            + names(current.live));
        return false;
      }
      return true; // the set number and live list repeated on every row
    }
    finishSet();
    if (!seenNumbers.add(number)) {
      brokenSet = true;
      reject(line, "set " + number + " appeared earlier in the file");
      return false;
    }
    current = new SetBuilder(number, live);
    return true;
  }

  private void addTransfers(String cell, long line) {
    if (cell.isEmpty()) {
      return;
    }
    Matcher m = TRANSFER.matcher(cell);
    List<Transfer> found = new ArrayList<>();
    int end = 0;
    while (m.find()) {
      if (!SEPARATORS.matcher(cell.substring(end, m.start())).matches()) {
        reject(line, "unexpected text '" + cell.substring(end, m.start()).trim() + "' in transfers");
        return;
      }
      try {
        found.add(parseTransfer(m.group(1)));
      } catch (IllegalArgumentException e) {
        reject(line, "transfer (" + m.group(1).trim() + "): " + e.getMessage());
        return;
      }
      end = m.end();
    }
    if (!SEPARATORS.matcher(cell.substring(end)).matches() || found.isEmpty()) {
      reject(line, "'" + cell.substring(end).trim() + "' is not a transfer like (S1, S2, 10)");
      return;
    }
    current.transfers.addAll(found);
  }

  private Transfer parseTransfer(String inner) {
    String[] parts = inner.split(",", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException("expected (sender, receiver, amount)");
    }
    int from = Servers.parse(parts[0]);
    int to = Servers.parse(parts[1]);
    String amountText = parts[2].trim();
    if (amountText.matches("\\+?\\d{19,}")) {
      throw new IllegalArgumentException("amount '" + amountText + "' is too large (at most "
          + String.format("%,d", Transfer.AMOUNT_MAX) + ")");
    }
    if (amountText.isEmpty() || !amountText.matches("[+-]?\\d{1,18}")) {
      throw new IllegalArgumentException("amount '" + amountText + "' is not a whole number");
    }
    long amount = Long.parseLong(amountText);
    String problem = Transfer.problem(from, to, amount);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return new Transfer(idBase + ++nextOrdinal, from, to, amount);
  }

  private static SortedSet<Integer> parseLive(String cell) {
    String t = cell.trim();
    if (t.isEmpty()) {
      throw new IllegalArgumentException("the first row of a set needs a live list like [S1, S2]");
    }
    if (t.startsWith("[") != t.endsWith("]")) {
      throw new IllegalArgumentException("live list '" + t + "' has an unmatched bracket");
    }
    if (t.startsWith("[")) {
      t = t.substring(1, t.length() - 1).trim();
    }
    SortedSet<Integer> live = new TreeSet<>();
    if (!t.isEmpty()) {
      for (String s : t.split("[,\\s]+")) {
        try {
          live.add(Servers.parse(s));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("live list: " + e.getMessage());
        }
      }
    }
    return live;
  }

  private static int parsePositive(String text, String what) {
    if (!text.matches("\\d{1,9}") || Integer.parseInt(text) < 1) {
      throw new IllegalArgumentException(what + " '" + text + "' is not a positive whole number");
    }
    return Integer.parseInt(text);
  }

  private void reject(long line, String reason) {
    // One line even when the reason quotes a multi-line cell.
    RowProblem p = new RowProblem(line, reason.replace("\r", "\\r").replace("\n", "\\n"));
    if (current != null) {
      current.rejected.add(p);
    } else {
      fileProblems.add(p);
    }
  }

  private void finishSet() {
    if (current != null) {
      sets.add(new TransferSet(current.number, current.live, current.transfers, current.rejected));
      current = null;
    }
    brokenSet = false;
  }

  private static String names(Set<Integer> ids) {
    return ids.stream().map(Servers::name).toList().toString();
  }

  private static String message(Exception e) {
    Throwable t = e.getCause() != null ? e.getCause() : e;
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  private static final class SetBuilder {
    final int number;
    final SortedSet<Integer> live;
    final List<Transfer> transfers = new ArrayList<>();
    final List<RowProblem> rejected = new ArrayList<>();

    SetBuilder(int number, SortedSet<Integer> live) {
      this.number = number;
      this.live = live;
    }
  }

  /** Maps a character position to its 1-based line (CRLF, LF or CR line ends). */
  private static final class LineCounter {
    private final String text;
    private long pos;
    private long line = 1;

    LineCounter(String text) {
      this.text = text;
    }

    long lineAt(long position) {
      for (; pos < position && pos < text.length(); pos++) {
        char c = text.charAt((int) pos);
        if (c == '\n' || (c == '\r' && (pos + 1 >= text.length() || text.charAt((int) pos + 1) != '\n'))) {
          line++;
        }
      }
      return line;
    }

    long lineCount() {
      return lineAt(text.length());
    }
  }
}
