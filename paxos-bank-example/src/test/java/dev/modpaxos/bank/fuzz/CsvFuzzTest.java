package dev.modpaxos.bank.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.bank.CsvSets;
import dev.modpaxos.bank.Servers;
import dev.modpaxos.bank.Transfer;
import dev.modpaxos.bank.TransferSet;
import dev.modpaxos.bank.TransferSet.RowProblem;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.statistics.Statistics;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Fuzzes {@link CsvSets#parse}: random text, valid files mutated character- and row-wise, and valid
 * files with bad rows spliced in at known lines.
 *
 * <p>Properties: it never throws; every problem names a line of the file and a one-line reason;
 * what it returns holds only valid transfers from rows it did not reject; and for spliced bad rows,
 * exactly those lines are reported and the sets are exactly the valid file's.
 */
class CsvFuzzTest {
  private static final long ID_BASE = 1_000;

  @Property(tries = 10_000)
  void randomText(@ForAll("texts") String text) {
    checkWellFormed(text);
  }

  @Property(tries = 10_000)
  void mutatedFiles(@ForAll("models") CsvModel model, @ForAll("layouts") CsvModel.Layout layout,
      @ForAll("mutations") List<int[]> mutations) {
    checkWellFormed(TextMutator.apply(model.render(layout), mutations));
  }

  @Property(tries = 10_000)
  void splicedBadRowsAreReportedAndRunNothing(
      @ForAll("models") CsvModel model, @ForAll("layouts") CsvModel.Layout layout,
      @ForAll("badRows") List<Tuple2<Integer, String>> badRows) {
    if (layout == CsvModel.Layout.MULTILINE_CELLS) {
      layout = CsvModel.Layout.FIRST_ROW_ONLY; // bad rows go between single-line rows
    }
    List<String> rows = new ArrayList<>(List.of(model.render(layout).split("(?<=\n)")));
    Set<Long> badLines = new TreeSet<>();
    for (Tuple2<Integer, String> bad : badRows) {
      int at = Math.floorMod(bad.get1(), rows.size() + 1);
      rows.add(at, bad.get2() + "\r\n");
      Set<Long> shifted = new TreeSet<>();
      badLines.forEach(l -> shifted.add(l > at ? l + 1 : l));
      badLines = shifted;
      badLines.add(at + 1L);
    }
    CsvSets.Parsed parsed = checkWellFormed(String.join("", rows));
    assertThat(parsed.allProblems()).extracting(RowProblem::line)
        .containsExactlyInAnyOrderElementsOf(badLines);
    assertThat(CsvModel.of(parsed)).isEqualTo(model);
  }

  /** The properties every parse must have; returns the parse. */
  static CsvSets.Parsed checkWellFormed(String text) {
    CsvSets.Parsed parsed = CsvSets.parse(text, ID_BASE);
    long lines = lineAt(text, text.length());
    Set<Long> rejectedLines = new HashSet<>();
    for (RowProblem p : parsed.allProblems()) {
      assertThat(p.line()).as("line of %s", p).isBetween(1L, lines);
      assertThat(p.reason()).isNotBlank().doesNotContain("\n", "\r");
      rejectedLines.add(p.line());
    }
    Set<Integer> numbers = new HashSet<>();
    long lastId = ID_BASE;
    Map<String, Integer> run = new HashMap<>();
    for (TransferSet s : parsed.sets()) {
      assertThat(numbers.add(s.number())).as("set %d twice", s.number()).isTrue();
      assertThat(Servers.IDS).containsAll(s.live());
      for (Transfer t : s.transfers()) {
        assertThat(t.id()).isGreaterThan(lastId);
        lastId = t.id();
        run.merge(t.toString(), 1, Integer::sum);
      }
    }
    Map<String, Integer> offered = transfersOfAcceptedRows(text, rejectedLines);
    run.forEach((t, n) -> assertThat(offered.getOrDefault(t, 0))
        .as("%s runs %d times but rows that were not rejected offer it fewer times", t, n)
        .isGreaterThanOrEqualTo(n));
    Statistics.collect(parsed.allProblems().isEmpty() ? "clean" : "with problems");
    return parsed;
  }

  private static final Pattern PARENS = Pattern.compile("\\(([^()]*)\\)");
  private static final CSVFormat FORMAT =
      CSVFormat.DEFAULT.builder().setIgnoreSurroundingSpaces(true).get();

  /**
   * An independent reading of which transfers the rows offer: every well-formed "(S, R, amount)"
   * in the transfer column of a record whose first line was not reported. Anything the parser runs
   * must be among these, so a rejected row never contributes a transfer.
   */
  private static Map<String, Integer> transfersOfAcceptedRows(String text, Set<Long> rejected) {
    Map<String, Integer> offered = new HashMap<>();
    String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
    try (CSVParser parser = CSVParser.parse(new StringReader(body), FORMAT)) {
      for (CSVRecord r : parser) {
        long line = lineAt(body, (int) r.getCharacterPosition());
        if (r.size() < 2 || rejected.contains(line)) {
          continue;
        }
        Matcher m = PARENS.matcher(r.get(1));
        while (m.find()) {
          String t = transfer(m.group(1));
          if (t != null) {
            offered.merge(t, 1, Integer::sum);
          }
        }
      }
    } catch (IOException | UncheckedIOException | IllegalStateException e) {
      // the parser stops here too
    }
    return offered;
  }

  /** 1-based line of {@code position}; CRLF, LF and a lone CR each end a line. */
  private static long lineAt(String text, int position) {
    long line = 1;
    for (int i = 0; i < position && i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n' || (c == '\r' && (i + 1 >= text.length() || text.charAt(i + 1) != '\n'))) {
        line++;
      }
    }
    return line;
  }

  private static String transfer(String inner) {
    String[] p = inner.split(",", -1);
    try {
      return new Transfer(1, Servers.parse(p[0]), Servers.parse(p[1]),
          Long.parseLong(p[2].trim())).toString();
    } catch (RuntimeException e) {
      return null;
    }
  }

  // ---- generators ---------------------------------------------------------------------------

  @Provide
  Arbitrary<String> texts() {
    return TextMutator.randomText(300);
  }

  @Provide
  Arbitrary<List<int[]>> mutations() {
    return TextMutator.mutations(6);
  }

  @Provide
  Arbitrary<CsvModel.Layout> layouts() {
    return Arbitraries.of(CsvModel.Layout.class);
  }

  @Provide
  Arbitrary<CsvModel> models() {
    return CsvModel.arbitrary();
  }

  /** (position, row) pairs; each row is one CSV line that the parser must reject. */
  @Provide
  Arbitrary<List<Tuple2<Integer, String>>> badRows() {
    Arbitrary<String> junk = Arbitraries.strings().withChars("Ss0123456789(), xX-+;.")
        .ofMaxLength(20)
        .map(j -> ",\"x" + j + "\",");
    Arbitrary<String> fixed = Arbitraries.of(
        ",\"(S1, S1, 5)\",", ",\"(S9, S2, 5)\",", ",\"(S1, S2, 0)\",", ",\"(S1, S2, -3)\",",
        ",\"(S1, S2)\",", ",\"(S1, S2, 5)\",,extra", ",\"(S1, S2, 5\",", ",\"(S1, S2, 1.5)\",",
        ",\"(S1, S2, 5) and more\",", ",\"(S1, S2, 99999999999)\",", ",\"[S1, S2]\",",
        ",,\"[S1]\"");
    return Combinators.combine(Arbitraries.integers(), Arbitraries.oneOf(junk, fixed))
        .as(Tuple::of).list().ofMinSize(1).ofMaxSize(4);
  }
}
