package dev.modpaxos.bank;

import dev.modpaxos.bank.MessageLog.Event;
import java.util.ArrayList;
import java.util.List;

/**
 * Groups delivered messages into rounds for the web view: one round per proposer, ballot and
 * slot, with who was sent each phase and who answered (PREPARE → PROMISE → ACCEPT → ACCEPTED →
 * COMMIT, and REJECT). Messages are recorded where they arrive, so "prepare" lists the servers a
 * PREPARE reached and "promise" those whose PROMISE reached the proposer. Not thread-safe.
 */
final class Rounds {
  /** Rounds kept, newest last. */
  static final int KEPT = 12;

  /** One round as the page shows it; the lists name servers in arrival order. */
  static final class Round {
    public final String proposer;
    public final String ballot;
    public long slot;
    public final List<String> prepare = new ArrayList<>();
    public final List<String> promise = new ArrayList<>();
    public final List<String> accept = new ArrayList<>();
    public final List<String> accepted = new ArrayList<>();
    public final List<String> commit = new ArrayList<>();
    public final List<String> reject = new ArrayList<>();
    public String entries = "";

    Round(String proposer, String ballot, long slot) {
      this.proposer = proposer;
      this.ballot = ballot;
      this.slot = slot;
    }
  }

  private final List<Round> rounds = new ArrayList<>();

  /** Adds one delivered message; messages that are not part of a round are ignored. */
  void add(Event e) {
    switch (e.type()) {
      case "PREPARE" -> addOnce(round(e.from(), e.ballot(), e.slot()).prepare, e.to());
      case "PROMISE" -> addOnce(round(e.to(), e.ballot(), -1).promise, e.from());
      case "ACCEPT" -> {
        Round r = round(e.from(), e.ballot(), e.slot());
        addOnce(r.accept, e.to());
        r.entries = e.detail();
      }
      case "ACCEPTED" -> addOnce(round(e.to(), e.ballot(), e.slot()).accepted, e.from());
      case "REJECT" -> addOnce(round(e.to(), e.ballot(), -1).reject, e.from() + ": " + e.detail());
      case "COMMIT" -> {
        Round r = committing(e.from(), e.slot());
        addOnce(r.commit, e.to());
        if (r.entries.isEmpty()) {
          r.entries = e.detail();
        }
      }
      default -> {
        // catch-up and forwarded logs are not rounds
      }
    }
  }

  /** The rounds, newest last. */
  List<Round> rounds() {
    return List.copyOf(rounds);
  }

  /**
   * The latest round of {@code proposer} at {@code ballot} for {@code slot} (-1: any slot; a
   * round whose slot is not known yet takes the first one given), else a new one.
   */
  private Round round(String proposer, String ballot, long slot) {
    for (int i = rounds.size() - 1; i >= 0; i--) {
      Round r = rounds.get(i);
      if (r.proposer.equals(proposer) && r.ballot.equals(ballot)
          && (slot < 0 || r.slot == slot || r.slot < 0)) {
        if (r.slot < 0) {
          r.slot = slot;
        }
        return r;
      }
    }
    return added(new Round(proposer, ballot, slot));
  }

  /** The latest round of {@code proposer} for {@code slot}: a COMMIT carries no ballot. */
  private Round committing(String proposer, long slot) {
    for (int i = rounds.size() - 1; i >= 0; i--) {
      Round r = rounds.get(i);
      if (r.proposer.equals(proposer) && r.slot == slot) {
        return r;
      }
    }
    return added(new Round(proposer, "-", slot));
  }

  private Round added(Round r) {
    rounds.add(r);
    if (rounds.size() > KEPT) {
      rounds.remove(0);
    }
    return r;
  }

  private static void addOnce(List<String> names, String name) {
    if (!names.contains(name)) {
      names.add(name);
    }
  }
}
