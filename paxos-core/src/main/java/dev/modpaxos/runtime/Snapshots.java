package dev.modpaxos.runtime;

import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.Message.SnapshotChunk;
import dev.modpaxos.protocol.Message.SnapshotOffer;
import dev.modpaxos.protocol.Message.SnapshotRequest;
import dev.modpaxos.protocol.Replica;
import dev.modpaxos.protocol.SlotBlock;
import dev.modpaxos.protocol.SnapshotState;
import dev.modpaxos.spi.SnapshotApplication;
import dev.modpaxos.spi.SnapshotSink;
import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.StoredSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's snapshots (docs/PROTOCOL.md R20): taking them by policy, serving them in chunks to
 * peers behind the compaction point, and installing one fetched from a peer. <b>Loop-confined</b>,
 * except the writing of an own snapshot, which runs on {@code background} and reports back
 * through {@code toLoop}.
 */
final class Snapshots {
  private static final Logger log = LoggerFactory.getLogger(Snapshots.class);

  /** How a node snapshots; {@link #OFF} keeps the whole history. */
  record Policy(long everySlots, long everyBytes, long tailSlots, int chunkBytes) {
    boolean enabled() {
      return everySlots > 0 || everyBytes > 0;
    }
  }

  /** What a fetched snapshot is: where it comes from, and what its first chunk said it is. */
  private static final class Install {
    final long slot;
    int source;
    long sizeBytes = -1;
    int crc32c;
    SnapshotSink sink;
    long lastProgressTick;
    // The last tick a chunk of it arrived (or it started): a newer install that no peer serves
    // any more (its only holder lost it) must not shut out an older snapshot others offer.
    long lastChunkTick;

    Install(long slot, int source) {
      this.slot = slot;
      this.source = source;
    }
  }

  private final int self;
  private final Store store;
  private final SnapshotApplication application; // null: this node takes and installs none
  private final Policy policy;
  private final Consumer<Message> sender;
  private final Executor background;
  private final Consumer<Runnable> toLoop;
  private final long timeoutTicks;
  private Replica replica;
  private StoredSnapshot current;
  private long lastSnapshotSlot;
  private long bytesSinceSnapshot;
  private boolean writing;
  private Install install;
  // A fetched and verified snapshot, installed once the batch that completed it is carried out.
  private Install verified;
  private long ticks;
  private long taken;
  private long installed;
  private long installsDiscarded;

  Snapshots(int self, Store store, SnapshotApplication application, Policy policy,
      Consumer<Message> sender, Executor background, Consumer<Runnable> toLoop,
      long timeoutTicks) {
    this.self = self;
    this.store = store;
    this.application = application;
    this.policy = policy;
    this.sender = sender;
    this.background = background;
    this.toLoop = toLoop;
    this.timeoutTicks = timeoutTicks;
  }

  /** At boot, after the replica was built from {@code stored} (null if the store has none). */
  void started(Replica replica, StoredSnapshot stored) {
    this.replica = replica;
    this.current = stored;
    this.lastSnapshotSlot = stored == null ? 0 : stored.slot();
  }

  long taken() {
    return taken;
  }

  long installed() {
    return installed;
  }

  long installsDiscarded() {
    return installsDiscarded;
  }

  /** True for the messages this class handles rather than the replica. */
  static boolean handles(Message m) {
    return m instanceof SnapshotOffer || m instanceof SnapshotRequest
        || m instanceof SnapshotChunk;
  }

  void step(Message m) {
    if (m instanceof SnapshotOffer o) {
      onOffer(o);
    } else if (m instanceof SnapshotRequest r) {
      onRequest(r);
    } else if (m instanceof SnapshotChunk c) {
      onChunk(c);
    }
  }

  // ---- taking -------------------------------------------------------------------------------

  /** A block was applied: counts it toward the policy. */
  void applied(SlotBlock sb) {
    for (dev.modpaxos.protocol.Entry e : sb.block().entries()) {
      bytesSinceSnapshot += e.payloadSize();
    }
  }

  /**
   * After a batch was carried out: finishes a verified install, or starts a snapshot if the
   * policy says so and none is running. Returns true if it installed one: the replica then has
   * effects (blocks buffered after the snapshot's slot) that the caller carries out before
   * anything else, and calls this again.
   */
  boolean afterBatch() {
    if (verified != null) {
      Install in = verified;
      verified = null;
      if (in.slot > replica.committedSlot()) {
        finish(in);
        return true;
      }
      in.sink.abort(); // caught up by blocks meanwhile: restoring would move the state back
      installsDiscarded++;
    }
    long slot = replica.committedSlot();
    if (!policy.enabled() || writing || application == null || slot <= lastSnapshotSlot) {
      return false;
    }
    boolean bySlots = policy.everySlots() > 0 && slot - lastSnapshotSlot >= policy.everySlots();
    boolean byBytes = policy.everyBytes() > 0 && bytesSinceSnapshot >= policy.everyBytes();
    if (!bySlots && !byBytes) {
      return false;
    }
    SnapshotState state = replica.snapshotState();
    SnapshotApplication.SnapshotWriter writer = application.snapshot(slot); // the loop waits here only
    writing = true;
    bytesSinceSnapshot = 0;
    background.execute(() -> write(state, writer));
    return false;
  }

  /** On the background thread: streams the snapshot into the store and commits it. */
  private void write(SnapshotState state, SnapshotApplication.SnapshotWriter writer) {
    SnapshotSink sink = null;
    try {
      sink = store.openSnapshot(state.slot());
      if (sink.sizeBytes() > 0) {
        sink.abort(); // a partial own snapshot: start it again
        sink = store.openSnapshot(state.slot());
      }
      SnapshotFile.write(sink.stream(), state, writer);
      StoredSnapshot done = sink.commit();
      toLoop.accept(() -> taken(done));
    } catch (IOException | RuntimeException e) {
      if (sink != null) {
        sink.abort();
      }
      log.warn("node {}: snapshot of slot {} failed: {}", self, state.slot(), e.toString(), e);
      toLoop.accept(() -> writing = false);
    }
  }

  private void taken(StoredSnapshot done) {
    writing = false;
    taken++;
    if (done.slot() <= lastSnapshotSlot) {
      return; // an install of a later snapshot finished while this one was written
    }
    current = done;
    lastSnapshotSlot = done.slot();
    long compactThrough = Math.max(0, done.slot() - policy.tailSlots());
    replica.snapshotTaken(done.slot(), Math.max(compactThrough, replica.compactedSlot()));
    if (compactThrough > 0) {
      store.compactThrough(compactThrough); // durable with the next sync; a lost drop is harmless
    }
    log.debug("node {}: snapshot of slot {} ({} bytes), compacted through {}", self, done.slot(),
        done.sizeBytes(), compactThrough);
  }

  // ---- serving ------------------------------------------------------------------------------

  private void onRequest(SnapshotRequest r) {
    StoredSnapshot s = current;
    if (s == null) {
      return;
    }
    if (r.slot() != s.slot() || r.offset() < 0 || r.offset() > s.sizeBytes()) {
      sender.accept(new SnapshotOffer(self, r.from(), s.slot())); // a newer one replaced it
      return;
    }
    // At the end: an empty chunk, so a fetch that has every byte (a crash struck before it was
    // committed) learns the size and checksum and completes.
    byte[] bytes = r.offset() == s.sizeBytes() ? new byte[0]
        : s.read(r.offset(), policy.chunkBytes());
    sender.accept(
        new SnapshotChunk(self, r.from(), s.slot(), r.offset(), s.sizeBytes(), s.crc32c(), bytes));
  }

  // ---- installing ---------------------------------------------------------------------------

  private void onOffer(SnapshotOffer o) {
    if (application == null) {
      log.warn("node {}: node {} offers a snapshot of slot {}, but this node's application"
          + " restores none; it cannot catch up past the compaction point", self, o.from(),
          o.slot());
      return;
    }
    if (verified != null) {
      // One is fetched and verified, installed at the end of this batch: opening another sink
      // now could close its partial file (ChronicleStore keeps one per slot). A later offer comes
      // again after the install if there is more.
      return;
    }
    if (install != null && install.slot == o.slot()) {
      install.source = o.from(); // the latest to offer it answers the next request
      return;
    }
    if (o.slot() <= replica.committedSlot()
        || (install != null && install.slot > o.slot()
            && ticks - install.lastChunkTick < 2L * timeoutTicks)) {
      return; // not ahead, or already fetching a newer one that still makes progress
    }
    if (install != null) {
      install.sink.abort();
    }
    install = new Install(o.slot(), o.from());
    install.sink = store.openSnapshot(o.slot()); // resumes a partial one left by a crash
    install.lastProgressTick = ticks;
    install.lastChunkTick = ticks;
    request();
  }

  private void request() {
    sender.accept(new SnapshotRequest(self, install.source, install.slot, install.sink.sizeBytes()));
  }

  private void onChunk(SnapshotChunk c) {
    Install in = install;
    if (in == null || c.slot() != in.slot) {
      return;
    }
    if (in.slot <= replica.committedSlot()) {
      abandon(); // caught up by blocks meanwhile: restoring would move the state back
      return;
    }
    if (in.sizeBytes < 0) {
      in.sizeBytes = c.sizeBytes();
      in.crc32c = c.crc32c();
    }
    if (c.sizeBytes() != in.sizeBytes || c.crc32c() != in.crc32c
        || c.offset() != in.sink.sizeBytes()) {
      return; // a duplicate, a reordered chunk, or another node's different bytes
    }
    try {
      c.writeTo(in.sink.stream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    in.lastProgressTick = ticks;
    in.lastChunkTick = ticks;
    if (in.sink.sizeBytes() < in.sizeBytes) {
      request();
    } else if (in.sink.crc32c() != in.crc32c) {
      log.warn("node {}: snapshot of slot {} from node {} failed its checksum; fetching it again",
          self, in.slot, c.from());
      in.sink.abort();
      installsDiscarded++;
      install = null;
      onOffer(new SnapshotOffer(in.source, self, in.slot));
    } else {
      // Finished after this batch is carried out: a block committed in this same batch (a
      // CATCHUP next to the last chunk) must reach the store and the application first, and
      // may make the install moot.
      install = null;
      verified = in;
    }
  }

  /** R20: restores the application, then the protocol's state; the blocks after it follow (R11). */
  private void finish(Install in) {
    install = null;
    StoredSnapshot done = in.sink.commit();
    SnapshotState state = SnapshotFile.restore(done, application);
    store.compactThrough(done.slot());
    replica.installSnapshot(state);
    current = done;
    lastSnapshotSlot = done.slot();
    bytesSinceSnapshot = 0;
    installed++;
    log.info("node {}: installed the snapshot of slot {} ({} bytes) from node {}", self,
        done.slot(), done.sizeBytes(), in.source);
  }

  private void abandon() {
    install.sink.abort();
    install = null;
  }

  /** Re-requests a chunk that did not come within a round timeout, from the next member. */
  void tick() {
    ticks++;
    if (install != null && install.slot <= replica.committedSlot()) {
      abandon();
    }
    Install in = install;
    if (in != null && ticks - in.lastProgressTick >= timeoutTicks) {
      in.lastProgressTick = ticks;
      request();
      replica.requestCatchUp(); // every peer that holds it offers it; the latest serves next
    }
  }
}
