package dev.modpaxos.bank.fuzz;

import dev.modpaxos.bank.CsvSets;
import dev.modpaxos.bank.Servers;
import dev.modpaxos.bank.Transfer;
import dev.modpaxos.bank.TransferSet;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** A valid input file as data: what it should parse to, and how to write it in each layout. */
record CsvModel(List<SetModel> sets) {

  /** One set: its number, live servers (sorted) and transfers as "(S1, S3, 45)". */
  record SetModel(int number, List<Integer> live, List<String> transfers) {}

  /** The layouts of real files (see docs/BANK.md). */
  enum Layout {
    /** The official file: CRLF, number and live list on a set's first row only. */
    FIRST_ROW_ONLY,
    /** LF, number and live list repeated on every row. */
    REPEATED,
    /** A header row, then one row per set with all its transfers in one multi-line cell. */
    MULTILINE_CELLS
  }

  static CsvModel of(CsvSets.Parsed parsed) {
    List<SetModel> out = new ArrayList<>();
    for (TransferSet s : parsed.sets()) {
      out.add(new SetModel(s.number(), List.copyOf(s.live()),
          s.transfers().stream().map(Transfer::toString).toList()));
    }
    return new CsvModel(out);
  }

  String render(Layout layout) {
    StringBuilder b = new StringBuilder();
    if (layout == Layout.MULTILINE_CELLS) {
      b.append("Set Number,Transactions,Live Servers\r\n");
    }
    for (SetModel s : sets) {
      String live = "\"" + s.live().stream().map(Servers::name)
          .collect(Collectors.joining(", ", "[", "]")) + "\"";
      switch (layout) {
        case FIRST_ROW_ONLY -> {
          for (int i = 0; i < s.transfers().size(); i++) {
            b.append(i == 0 ? s.number() + "," : ",").append('"').append(s.transfers().get(i))
                .append("\",").append(i == 0 ? live : "").append("\r\n");
          }
        }
        case REPEATED -> s.transfers().forEach(t ->
            b.append(s.number()).append(",\"").append(t).append("\",").append(live).append('\n'));
        case MULTILINE_CELLS -> b.append(s.number()).append(",\"")
            .append(String.join("\n", s.transfers())).append("\",").append(live).append("\r\n");
      }
    }
    return b.toString();
  }

  static Arbitrary<CsvModel> arbitrary() {
    Arbitrary<Integer> id = Arbitraries.integers().between(1, Servers.COUNT);
    Arbitrary<String> transfer = Combinators.combine(id, id, Arbitraries.longs().between(1, 500))
        .filter((f, t, a) -> !f.equals(t))
        .as((f, t, a) -> new Transfer(1, f, t, a).toString());
    Arbitrary<List<Integer>> live = id.set().ofMinSize(1).map(s -> s.stream().sorted().toList());
    Arbitrary<List<SetModel>> sets = Combinators
        .combine(live, transfer.list().ofMinSize(1).ofMaxSize(4))
        .as((l, t) -> new SetModel(0, l, t)).list().ofMinSize(1).ofMaxSize(4);
    return sets.map(list -> {
      List<SetModel> numbered = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        numbered.add(new SetModel(i + 1, list.get(i).live(), list.get(i).transfers()));
      }
      return new CsvModel(numbered);
    });
  }
}
