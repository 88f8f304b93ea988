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
  private final List<SetWatcher> watchers = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Sees each set start and end (the web view); called on the thread that runs the set. */
  public interface SetWatcher {
    void started(TransferSet set);

    void done(SetOutcome outcome);
  }

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
    TransferSet set = sets.get(next++);
    watchers.forEach(w -> w.started(set));
    SetOutcome o = runner.run(set);
    watchers.forEach(w -> w.done(o));
    if (afterSet != null) {
      afterSet.accept(this);
    }
    return o;
  }

  /** Calls {@code listener} after every set (the run record of a data directory). */
  public void afterEverySet(java.util.function.Consumer<Session> listener) {
    afterSet = listener;
  }

  public void watchSets(SetWatcher w) {
    watchers.add(w);
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
