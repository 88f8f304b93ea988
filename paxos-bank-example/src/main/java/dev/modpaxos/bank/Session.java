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
  private java.util.function.Consumer<Session> afterSet;

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
    SetOutcome o = runner.run(sets.get(next++));
    if (afterSet != null) {
      afterSet.accept(this);
    }
    return o;
  }

  /** Calls {@code listener} after every set (the run record of a data directory). */
  public void afterEverySet(java.util.function.Consumer<Session> listener) {
    afterSet = listener;
  }

  /**
   * Resumes a run: skips the sets up to {@code lastSet} and owes the servers {@code owed} again.
   * Returns how many sets were skipped.
   */
  public int resumeAfter(int lastSet, List<Transfer> owed, List<Integer> owedSets) {
    int skipped = 0;
    while (hasNextSet() && peekNextSet().number() <= lastSet) {
      next++;
      skipped++;
    }
    runner.owe(owed, owedSets);
    return skipped;
  }

  /** The number of the last set run, or 0. */
  public int lastSetDone() {
    return next == 0 ? 0 : sets.get(next - 1).number();
  }

  public int setsTotal() {
    return sets.size();
  }
}
