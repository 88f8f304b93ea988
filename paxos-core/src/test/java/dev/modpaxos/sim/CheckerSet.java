package dev.modpaxos.sim;

import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.protocol.SlotBlock;
import java.util.List;

/** Hands every hook to each checker in turn. */
final class CheckerSet<A> implements Checker<A> {
  private final List<Checker<? super A>> checkers;

  CheckerSet(List<? extends Checker<? super A>> checkers) {
    this.checkers = List.copyOf(checkers);
  }

  @Override
  public void onSubmitted(int node, Entry entry) {
    checkers.forEach(c -> c.onSubmitted(node, entry));
  }

  @Override
  public void onDurable(int node, Entry entry) {
    checkers.forEach(c -> c.onDurable(node, entry));
  }

  @Override
  public void onVoted(int node, Proposal accepted) {
    checkers.forEach(c -> c.onVoted(node, accepted));
  }

  @Override
  public void onVoted(int node, int generation, Proposal accepted) {
    checkers.forEach(c -> c.onVoted(node, generation, accepted));
  }

  @Override
  public void onApplied(int node, SlotBlock chosen, A app) {
    checkers.forEach(c -> c.onApplied(node, chosen, app));
  }

  @Override
  public void onRestarted(int node, List<Block> durableChosen) {
    checkers.forEach(c -> c.onRestarted(node, durableChosen));
  }

  @Override
  public void onRestarted(int node, long firstSlot, List<Block> durableChosen) {
    checkers.forEach(c -> c.onRestarted(node, firstSlot, durableChosen));
  }

  @Override
  public void onRestarted(int node, long firstSlot, List<Block> durableChosen,
      long syncedThrough) {
    checkers.forEach(c -> c.onRestarted(node, firstSlot, durableChosen, syncedThrough));
  }

  @Override
  public void onStateLost(int node, long firstSlot, List<Block> chosenLeft, List<Entry> lost) {
    checkers.forEach(c -> c.onStateLost(node, firstSlot, chosenLeft, lost));
  }

  @Override
  public void onRestored(int node, long slot, boolean installed, A app) {
    checkers.forEach(c -> c.onRestored(node, slot, installed, app));
  }

  @Override
  public void onStateLost(int node, List<Block> chosenLeft, List<Entry> localLost) {
    checkers.forEach(c -> c.onStateLost(node, chosenLeft, localLost));
  }

  @Override
  public void onReadCalled(int node, long read) {
    checkers.forEach(c -> c.onReadCalled(node, read));
  }

  @Override
  public void onReadServed(int node, long read, long appliedSlot) {
    checkers.forEach(c -> c.onReadServed(node, read, appliedSlot));
  }

  @Override
  public void onReadFailed(int node, long read, Throwable cause) {
    checkers.forEach(c -> c.onReadFailed(node, read, cause));
  }

  @Override
  public void onLivenessPhaseEnd(long livenessTicks) {
    checkers.forEach(c -> c.onLivenessPhaseEnd(livenessTicks));
  }
}
