package dev.modpaxos.bank;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The last {@value #CAPACITY} protocol messages one server was delivered, numbered in arrival
 * order, for the web view's rounds (PREPARE, PROMISE, ACCEPT, ACCEPTED, COMMIT, with who
 * answered). Fed by {@link ObservingTransport}; kept across the server's restarts. Thread-safe.
 */
public final class MessageLog {
  static final int CAPACITY = 2_000;

  /**
   * One delivered message.
   *
   * @param seq its number in this server's log, from 1
   * @param atMillis when it was delivered (wall clock)
   * @param type as in {@code Message.type()}
   * @param ballot the ballot it carries as the page shows it, e.g. "(2, S1)"; "" for none
   * @param slot the slot it is about, or 0
   * @param detail e.g. the entries it carries, or why it rejects
   */
  public record Event(long seq, long atMillis, String type, String from, String to, String ballot,
      long slot, String detail) {}

  private final ArrayDeque<Event> events = new ArrayDeque<>();
  private long lastSeq;

  synchronized void record(Message m) {
    lastSeq++;
    events.addLast(eventOf(lastSeq, System.currentTimeMillis(), m));
    if (events.size() > CAPACITY) {
      events.removeFirst();
    }
  }

  /** Up to {@code max} events after {@code afterSeq}, oldest first. */
  synchronized List<Event> after(long afterSeq, int max) {
    List<Event> out = new ArrayList<>();
    for (Event e : events) {
      if (e.seq() > afterSeq && out.size() < max) {
        out.add(e);
      }
    }
    return out;
  }

  static Event eventOf(long seq, long atMillis, Message m) {
    String ballot = "";
    long slot = 0;
    String detail = "";
    if (m instanceof Message.Prepare p) {
      ballot = ballot(p.ballot());
      slot = p.slot();
    } else if (m instanceof Message.Promise p) {
      ballot = ballot(p.ballot());
      slot = p.committedSlot() + 1;
      detail = entries(p.localLog().size())
          + (p.accepted().isEmpty() ? "" : ", " + Printer.plural(p.accepted().size(), "vote"));
    } else if (m instanceof Message.Accept a) {
      ballot = ballot(a.ballot());
      slot = a.slot();
      detail = entries(a.block().size());
    } else if (m instanceof Message.Accepted a) {
      ballot = ballot(a.ballot());
      slot = a.slot();
    } else if (m instanceof Message.Reject r) {
      ballot = ballot(r.ballot());
      slot = r.slot();
      detail = r.reason().name();
    } else if (m instanceof Message.Commit c) {
      slot = c.slot();
      detail = entries(c.block().size());
    } else if (m instanceof Message.CatchUpRequest c) {
      slot = c.fromSlot();
    } else if (m instanceof Message.CatchUp c) {
      slot = c.firstSlot();
      detail = Printer.plural(c.blocks().size(), "block");
    } else if (m instanceof Message.Forward f) {
      detail = entries(f.entries().size());
    }
    return new Event(seq, atMillis, m.type(), Servers.name(m.from()), Servers.name(m.to()),
        ballot, slot, detail);
  }

  private static String entries(int n) {
    return n + (n == 1 ? " entry" : " entries");
  }

  /** "(2, S1)", with the generation when it is not the member's first; "-" for none. */
  static String ballot(Ballot b) {
    if (b == null || b.equals(Ballot.ZERO)) {
      return "-";
    }
    return "(" + b.round() + ", " + Servers.name(b.nodeId())
        + (b.generation() > 1 ? ", gen " + b.generation() : "") + ")";
  }
}
