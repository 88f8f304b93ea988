package dev.modpaxos.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.local.InMemoryStore;
import dev.modpaxos.runtime.ReadyExecutor;
import dev.modpaxos.spi.StateLoss;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Drives a few replicas step by step for scenario tests and writes a readable transcript, which
 * the test compares with a golden file under {@code src/test/resources/scenarios/}. Run with
 * {@code -Dgolden.update=true} to rewrite the golden files after an intended change.
 *
 * <p>Messages wait in one FIFO "wire" until the scenario delivers or drops them, so every
 * interleaving is explicit. Payloads are UTF-8 text so that blocks read naturally.
 */
final class ScenarioHarness {
  private final List<Integer> members;
  private final Map<Integer, InMemoryStore> stores = new LinkedHashMap<>();
  private final Map<Integer, Replica> replicas = new LinkedHashMap<>();
  private final Map<Integer, ReplicaConfig> configs = new LinkedHashMap<>();
  private final Map<Integer, ReadyExecutor> executors = new LinkedHashMap<>();
  private final List<Message> wire = new ArrayList<>();
  private final StringBuilder transcript = new StringBuilder();
  // Nodes whose store identity was durable once: an empty store then means a wiped disk (R16).
  private final java.util.Set<Integer> founded = new java.util.HashSet<>();

  ScenarioHarness(int n, RoundTrigger trigger) {
    this(n, trigger, b -> b.promiseWaitTicks(2).roundTimeoutTicks(10).backoffTicksMax(1));
  }

  /** With the timing knobs set by {@code timing} (the bank's, say). */
  ScenarioHarness(int n, RoundTrigger trigger,
      java.util.function.UnaryOperator<ReplicaConfig.Builder> timing) {
    members = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      members.add(i);
    }
    for (int id : members) {
      configs.put(
          id,
          timing.apply(ReplicaConfig.builder(id, members).trigger(trigger).seed(id)).build());
      stores.put(id, new InMemoryStore());
      executors.put(id, executor(id));
      replicas.put(id, new Replica(configs.get(id), stores.get(id).load()));
    }
  }

  /** The runtime's executor of a Ready, with the wire as transport and the transcript watching. */
  private ReadyExecutor executor(int id) {
    ReadyExecutor.Listener transcribe =
        new ReadyExecutor.Listener() {
          @Override
          public void chosen(SlotBlock sb) {
            transcript.append(
                String.format(
                    "  S%d commits slot %d %s%n", id, sb.slot(), text(sb.block().entries())));
          }

          @Override
          public void roundFailed(long ticket) {
            transcript.append(String.format("  S%d round %d FAILED: no majority%n", id, ticket));
          }
        };
    return new ReadyExecutor(
        stores.get(id), wire::add, (slot, block) -> {}, transcribe, ReadyExecutor.Hook.NONE);
  }

  Replica replica(int id) {
    return replicas.get(id);
  }

  ScenarioHarness note(String text) {
    transcript.append("# ").append(text).append('\n');
    return this;
  }

  ScenarioHarness submit(int id, String payload) {
    EntryId e = replicas.get(id).submit(payload.getBytes(StandardCharsets.UTF_8));
    transcript.append(String.format("S%d submit %s -> entry %s%n", id, payload, e));
    flush(id);
    return this;
  }

  ScenarioHarness runRound(int id) {
    transcript.append(String.format("S%d runRound%n", id));
    replicas.get(id).runRound();
    flush(id);
    return this;
  }

  ScenarioHarness tick(int id, int ticks) {
    for (int i = 0; i < ticks; i++) {
      replicas.get(id).tick();
      flush(id);
    }
    return this;
  }

  /**
   * Lets the cluster run on its own for {@code ticks} ticks: each tick, every live replica ticks
   * once, then every message on the wire is delivered. Quiet ticks are not written down.
   */
  ScenarioHarness run(int ticks) {
    transcript.append(String.format("(the cluster runs for %d ticks)%n", ticks));
    for (int i = 0; i < ticks; i++) {
      for (int id : List.copyOf(replicas.keySet())) {
        replicas.get(id).tick();
        flush(id);
      }
      deliverAll();
    }
    return this;
  }

  /** Delivers every message on the wire, and those they cause, until the wire is empty. */
  ScenarioHarness deliverAll() {
    return deliverWhile(m -> true);
  }

  /** Delivers matching messages (and the ones they cause) until none is left; others wait. */
  ScenarioHarness deliverWhile(Predicate<Message> which) {
    for (int guard = 0; guard < 10_000; guard++) {
      Message next = wire.stream().filter(which).findFirst().orElse(null);
      if (next == null) {
        return this;
      }
      wire.remove(next);
      deliver(next);
    }
    throw new IllegalStateException("scenario does not settle");
  }

  /** Drops every matching message on the wire. */
  ScenarioHarness drop(Predicate<Message> which) {
    List<Message> gone = wire.stream().filter(which).collect(Collectors.toList());
    wire.removeAll(gone);
    for (Message m : gone) {
      transcript.append("  dropped ").append(describe(m)).append('\n');
    }
    return this;
  }

  /** Crashes {@code id}: unsynced writes are lost, and its messages in flight vanish. */
  ScenarioHarness crash(int id) {
    stores.get(id).crash();
    wire.removeIf(m -> m.from() == id || m.to() == id);
    replicas.remove(id);
    transcript.append(String.format("S%d crashes%n", id));
    return this;
  }

  /**
   * Crashes {@code id} and damages its disk (R16): each loss is applied to its store, which
   * reports them when it restarts.
   */
  ScenarioHarness loseState(int id, StateLoss... what) {
    crash(id);
    for (StateLoss loss : what) {
      stores.get(id).lose(loss, new SplittableRandom(id));
    }
    transcript.append(String.format("S%d's disk loses %s%n", id, List.of(what)));
    return this;
  }

  /** Crashes {@code id} and empties its data directory: its store is as new and says nothing. */
  ScenarioHarness wipe(int id) {
    crash(id);
    stores.get(id).wipe();
    transcript.append(String.format("S%d's disk is wiped%n", id));
    return this;
  }

  /** Submits, or notes why the node refused (a learner accepts no submits, R16). */
  ScenarioHarness trySubmit(int id, String payload) {
    try {
      return submit(id, payload);
    } catch (IllegalStateException e) {
      transcript.append(String.format("S%d submit %s refused: %s%n", id, payload, e.getMessage()));
      return this;
    }
  }

  ScenarioHarness restart(int id) {
    replicas.put(
        id,
        new Replica(
            configs.get(id),
            stores.get(id).load(),
            new Boot(!founded.contains(id), 100L * id + 1))); // bootstrap until first synced
    if (!replicas.get(id).isVoting()) {
      transcript.append(String.format("S%d %s%n", id, replicas.get(id).notVotingReason()));
    }
    transcript.append(
        String.format("S%d restarts at committed slot %d%n", id, replicas.get(id).committedSlot()));
    flush(id);
    return this;
  }

  ScenarioHarness state() {
    for (Map.Entry<Integer, Replica> e : replicas.entrySet()) {
      Replica r = e.getValue();
      transcript.append(
          String.format(
              "  S%d%s committed=%d localLog=%s blocks=%s%n",
              e.getKey(),
              r.generation() == 1 ? "" : r.generation() == 0 ? " (learner)" : " g" + r.generation(),
              r.committedSlot(),
              text(r.localLog()),
              r.chosenBlocks(1, 100).stream().map(b -> text(b.entries())).toList()));
    }
    return this;
  }

  String transcript() {
    return transcript.toString();
  }

  void assertMatchesGolden(String name) {
    String path = "scenarios/" + name + ".txt";
    if (Boolean.getBoolean("golden.update")) {
      try {
        Path file = Path.of("src/test/resources", path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, transcript());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return;
    }
    try (InputStream in = getClass().getClassLoader().getResourceAsStream(path)) {
      assertThat(in).as("golden file " + path + " (run with -Dgolden.update=true)").isNotNull();
      String golden = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(transcript()).isEqualTo(golden);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void deliver(Message m) {
    Replica to = replicas.get(m.to());
    if (to == null) {
      transcript.append("  lost    ").append(describe(m)).append(" (addressee down)\n");
      return;
    }
    transcript.append("  ").append(describe(m)).append('\n');
    to.step(m);
    flush(m.to());
  }

  /** Carries out the replica's Ready with the runtime's own executor (R15). */
  private void flush(int id) {
    Replica r = replicas.get(id);
    executors.get(id).execute(r.ready());
    if (stores.get(id).identity() != null) {
      founded.add(id);
    }
    Invariants.check(r);
  }

  static String describe(Message m) {
    String head = "S" + m.from() + "->S" + m.to() + " " + m.type();
    if (m instanceof Message.Prepare p) {
      return head + " b=" + p.ballot() + " committed=" + p.committedSlot();
    } else if (m instanceof Message.Promise p) {
      String acc = p.accepted().isEmpty() ? "-" : p.accepted().stream()
          .map(a -> a.slot() + "@" + a.ballot() + text(a.block().entries()))
          .collect(java.util.stream.Collectors.joining(","));
      return head + " b=" + p.ballot() + " committed=" + p.committedSlot() + " accepted=" + acc
          + " log=" + text(p.localLog());
    } else if (m instanceof Message.Accept a) {
      return head + " b=" + a.ballot() + " slot=" + a.slot() + " " + text(a.block().entries());
    } else if (m instanceof Message.Accepted a) {
      return head + " b=" + a.ballot() + " slot=" + a.slot();
    } else if (m instanceof Message.Reject r) {
      return head + " " + r.reason() + " b=" + r.ballot() + " slot=" + r.slot() + " promised="
          + r.promised() + " committed=" + r.committedSlot();
    } else if (m instanceof Message.Commit c) {
      return head + " slot=" + c.slot() + " " + text(c.block().entries());
    } else if (m instanceof Message.CatchUpRequest c) {
      return head + " from=" + c.fromSlot();
    } else if (m instanceof Message.CatchUp c) {
      return head + " first=" + c.firstSlot() + " blocks="
          + c.blocks().stream().map(b -> text(b.entries())).toList();
    } else if (m instanceof Message.Forward f) {
      return head + " " + text(f.entries());
    }
    return head;
  }

  static String text(List<Entry> entries) {
    return entries.stream().map(ScenarioHarness::text).collect(Collectors.joining(", ", "[", "]"));
  }

  private static String text(Entry e) {
    Readmission r = Readmission.of(e);
    if (r != null) {
      return "readmit S" + r.member() + " g" + r.replaces() + "->g" + (r.replaces() + 1);
    }
    String payload = new String(e.payload(), StandardCharsets.UTF_8);
    return e.id().generation() == 1 ? payload : payload + "@" + e.id();
  }

  static Predicate<Message> to(int id) {
    return m -> m.to() == id;
  }

  static Predicate<Message> from(int id) {
    return m -> m.from() == id;
  }

  static Predicate<Message> type(String type) {
    return m -> m.type().equals(type);
  }
}
