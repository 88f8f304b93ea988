package dev.modpaxos.protocol;

import java.util.ArrayList;
import java.util.List;

/** Accumulates the effects of inputs until {@link Replica#ready()} drains them. Not thread-safe. */
final class Effects {
  dev.modpaxos.spi.StoreIdentity identity;
  Ballot promised;
  Proposal accepted;
  final List<Entry> appended = new ArrayList<>();
  final List<SlotBlock> chosen = new ArrayList<>();
  final List<EntryId> removed = new ArrayList<>();
  final List<Message> messages = new ArrayList<>();
  final List<RoundEvent> events = new ArrayList<>();
  final List<Long> roundsDone = new ArrayList<>();
  final List<Long> roundsFailed = new ArrayList<>();

  Ready drain() {
    if (identity == null
        && promised == null
        && accepted == null
        && appended.isEmpty()
        && chosen.isEmpty()
        && removed.isEmpty()
        && messages.isEmpty()
        && events.isEmpty()
        && roundsDone.isEmpty()
        && roundsFailed.isEmpty()) {
      return Ready.EMPTY;
    }
    Ready r =
        new Ready(
            identity,
            promised,
            accepted,
            List.copyOf(appended),
            List.copyOf(chosen),
            List.copyOf(removed),
            List.copyOf(messages),
            List.copyOf(events),
            List.copyOf(roundsDone),
            List.copyOf(roundsFailed));
    identity = null;
    promised = null;
    accepted = null;
    appended.clear();
    chosen.clear();
    removed.clear();
    messages.clear();
    events.clear();
    roundsDone.clear();
    roundsFailed.clear();
    return r;
  }
}
