package dev.modpaxos.bank;

import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One set of the input file: its number, the servers live during it, its transfers in file order,
 * and the rows of it that were rejected.
 */
public record TransferSet(
    int number, SortedSet<Integer> live, List<Transfer> transfers, List<RowProblem> rejected) {

  public TransferSet {
    live = new TreeSet<>(live);
    transfers = List.copyOf(transfers);
    rejected = List.copyOf(rejected);
  }

  /** "[S1, S2, S3]". */
  public String liveNames() {
    return live.stream().map(Servers::name).toList().toString();
  }

  /** A row of the input that was not run, with its 1-based line number and the reason. */
  public record RowProblem(long line, String reason) {
    @Override
    public String toString() {
      return "line " + line + ": " + reason;
    }
  }
}
