package dev.modpaxos.bank;

import dev.modpaxos.bank.SetRunner.SetOutcome;
import dev.modpaxos.bank.TransferSet.RowProblem;
import java.util.List;

/**
 * One run of an input file: the cluster, the runner and the sets still to go. Not thread-safe:
 * the menu drives it from one thread.
 */
public final class Session {
  private final Cluster cluster;
  private final SetRunner runner;
  private final List<TransferSet> sets;
  private final List<RowProblem> problems;
  private int next;

  public Session(Cluster cluster, CsvSets.Parsed parsed) {
    this.cluster = cluster;
    this.runner = new SetRunner(cluster);
    this.sets = parsed.sets();
    this.problems = parsed.allProblems();
  }

  public Cluster cluster() {
    return cluster;
  }

  public SetRunner runner() {
    return runner;
  }

  /** Every row the parser rejected, by line. */
  public List<RowProblem> problems() {
    return problems;
  }

  public boolean hasNextSet() {
    return next < sets.size();
  }

  public TransferSet peekNextSet() {
    return sets.get(next);
  }

  /** Runs the next set; throws {@link IllegalStateException} if none is left. */
  public SetOutcome runNextSet() {
    if (!hasNextSet()) {
      throw new IllegalStateException("no sets left");
    }
    return runner.run(sets.get(next++));
  }

  public int setsTotal() {
    return sets.size();
  }
}
