package dev.modpaxos.storage.chronicle;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.EntryId;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.protocol.SlotBlock;
import dev.modpaxos.spi.SnapshotSink;
import dev.modpaxos.spi.StateLoss;
import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.StoreException;
import dev.modpaxos.spi.StoreIdentity;
import dev.modpaxos.spi.StoredState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A crash-safe {@link Store} on Chronicle Map files in one directory. Thread-safe (synchronized),
 * though the SPI calls it from one thread.
 *
 * <p><b>Files.</b> {@code acceptor.cm} (identity, promised ballot, a ring of votes by slot),
 * {@code local.cm} (the local log), {@code chosen-<first slot>.cm} (chosen blocks, a new file every
 * {@code chosenBlocksPerFile} slots or when one fills), {@code LAYOUT} (format and sizing, fixed
 * at creation), {@code SESSION} (boot id and durability of the last opener), {@code CLEAN}
 * (present only after a clean {@link #close()}), {@code LOSSES} (present while a loss found at an
 * earlier open is not yet cleared), {@code LOCK} (held while open), {@code COMPACTED} (the
 * compaction point, R20) and {@code snapshots/} ({@link SnapshotFiles}). Every record carries a
 * CRC32C.
 *
 * <p><b>Durability.</b> Every write goes straight into the page cache (memory-mapped files), so a
 * write survives a kill of the process as soon as the call returns. {@link #sync()} adds what the
 * configured {@link Durability} asks: nothing for {@code PROCESS}; for {@code POWER}, one
 * fdatasync of {@code journal.log}, the {@link Journal} every map write is also recorded in (the
 * maps themselves are msynced at checkpoints: a full journal, and close). After an unclean
 * shutdown followed by a reboot of the host, the journal is replayed into the maps before they
 * are read (after a kill on the same boot the page cache kept every write). {@link #close()} msyncs in
 * both modes. A power cut may keep any subset of the writes since the last sync, as the Store
 * contract allows.
 *
 * <p><b>Recovery and losses.</b> Opening a directory without the clean-shutdown marker reopens the
 * map files with Chronicle's recovery. Damaged or missing acceptor records, missing acknowledged
 * chosen slots, damaged acknowledged local-log records, or a reboot since an unclean PROCESS-mode
 * session make {@link #load()} report them in {@link StoredState#losses()}, at this open and every
 * later one until an identity saved after it is synced (R16; docs/STORAGE.md, "Recovery").
 *
 * <p><b>A full disk or an I/O error.</b> The map files are preallocated ({@code MapFile}), so a
 * full disk shows when a file is created, as a {@link StoreException} that says "the disk is full"
 * and names the file. After any I/O failure of a write or sync the store takes nothing more: every
 * later call throws, so no {@link #sync()} acknowledges a write that may not have happened, and
 * {@link #close()} leaves the directory to recovery.
 *
 * <p><b>One owner.</b> The directory is locked while open; a second opener, in this JVM or another
 * process, gets a {@link StoreException} at once.
 *
 * <p>Needs the JVM flags of docs/STORAGE.md. Chronicle analytics are switched off before any
 * Chronicle class loads.
 */
public final class ChronicleStore implements Store {
  static {
    // Before any Chronicle class loads: this class itself refers to none (MapFile does).
    System.setProperty("chronicle.analytics.disable", "true");
  }

  private static final Logger log = LoggerFactory.getLogger(ChronicleStore.class);
  static final String CLEAN_MARKER = "CLEAN";
  /** Present while losses found at an open are not yet cleared by a synced identity (R16). */
  static final String LOSS_MARKER = "LOSSES";
  static final String ACCEPTOR_FILE = "acceptor.cm";
  static final String LOCAL_FILE = "local.cm";
  /** R20: the slot through which chosen blocks were dropped; absent before the first compaction. */
  static final String COMPACTED_FILE = "COMPACTED";

  private final Path dir;
  private final ChronicleStoreConfig config;
  private final Layout layout;
  private final DirectoryLock lock;
  private AcceptorFile acceptor;
  private LocalLogFile local;
  private ChosenFiles chosen;
  private SnapshotFiles snapshots;
  // POWER mode: every map write is also recorded here, and sync() fdatasyncs only this file.
  private Journal journal;
  // Invariant: equals the slot in COMPACTED_FILE (0: none); a snapshot at or above it exists.
  private long compacted;
  // The state read at open; handed out by the first load(), then dropped.
  private StoredState opened;
  private boolean loaded;
  private OpenReport report;
  // Invariant: equals the content of LOSS_MARKER (empty: no marker). An identity saved while it
  // is non-empty makes the next sync delete the marker.
  private Set<StateLoss> markedLosses = Set.of();
  private boolean clearLossesOnSync;
  private boolean closed;
  // The first I/O failure of a write or sync (a full disk, an I/O error), null while none. From
  // then on every call throws, so no sync acknowledges a write that may not have happened, and
  // close() leaves no clean marker: the next open recovers (docs/STORAGE.md, "A full disk").
  private StoreException broken;

  private ChronicleStore(Path dir, ChronicleStoreConfig config, Layout layout, DirectoryLock lock) {
    this.dir = dir;
    this.config = config;
    this.layout = layout;
    this.lock = lock;
  }

  /**
   * Opens (or creates) the store in {@code dir} with {@link ChronicleStoreConfig#defaults()}, as
   * {@link #open(Path, ChronicleStoreConfig)} does.
   *
   * @param dir the store's directory, one per node
   * @return the open store
   */
  public static ChronicleStore open(Path dir) {
    return open(dir, ChronicleStoreConfig.defaults());
  }

  /**
   * Opens the store in {@code dir}, creating the directory and its files if needed, recovering
   * them if the previous owner did not close cleanly, and reading the whole state for {@link
   * #load()}. Blocks on I/O; recovery time grows with the size of the newest files.
   *
   * @param dir the store's directory, one per node
   * @param config the store's sizing and durability; the sizing of an existing store is its own
   * @return the open store
   * @throws StoreException if the JVM lacks the {@code --add-opens} / {@code --add-exports} flags
   *     Chronicle Map needs (docs/STORAGE.md; the message names the missing ones, and nothing is
   *     created or opened), or if the directory is in use by another opener, holds a store of
   *     another format, or cannot be read
   */
  public static ChronicleStore open(Path dir, ChronicleStoreConfig config) {
    JvmFlags.require();
    long startNanos = System.nanoTime();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new StoreException("cannot create store directory " + dir + ": " + e.getMessage(), e);
    }
    DirectoryLock lock = DirectoryLock.acquire(dir);
    ChronicleStore store = null;
    try {
      store = new ChronicleStore(dir, config, Layout.readOrCreate(dir, config), lock);
      store.openFiles(startNanos);
      return store;
    } catch (RuntimeException e) {
      if (store != null) {
        store.closeFilesQuietly();
      }
      lock.close();
      throw e instanceof StoreException se ? se : new StoreException("cannot open " + dir, e);
    }
  }

  /** How the previous owner left the directory, read before anything in it changes. */
  private record Before(boolean fresh, boolean clean, long cleanChosen, boolean sameBoot) {
    boolean recover() {
      return !fresh && !clean;
    }
  }

  /**
   * Opens and reads every file. Whatever counts as lost is recorded in {@link #LOSS_MARKER}
   * before anything that is evidence of it changes (the session file, the clean marker, damaged
   * records and dropped slots), so that a crash during this open cannot hide a loss.
   */
  private void openFiles(long startNanos) {
    EnumSet<StateLoss> found = EnumSet.noneOf(StateLoss.class);
    Before before = inspect(found);
    markLosses(found);
    // From here on a crash must lead to recovery, so the marker goes before any map is opened.
    Disk.deleteDurably(dir.resolve(CLEAN_MARKER));
    boolean recover = before.recover();
    if (recover && !before.sameBoot()) {
      // After a kill of the process the page cache kept every write, newer ones too; only a
      // reboot (a power cut, a kernel crash) can have lost map pages that the journal holds.
      // Before the session is rewritten: a crash during the replay leads to another replay.
      replayJournal();
    }
    Session.current(config.durability()).write(dir);

    acceptor =
        new AcceptorFile(
            MapFile.open(dir.resolve(ACCEPTOR_FILE), layout.acceptorSizing(), recover,
                AcceptorFile.initialRecords()),
            layout.voteBytesMax());
    local = new LocalLogFile(MapFile.open(dir.resolve(LOCAL_FILE), layout.localSizing(), recover));
    chosen = new ChosenFiles(dir, layout);
    snapshots = new SnapshotFiles(dir, config.durability());
    acceptor.load(recover);
    SnapshotFiles.Scan snapshotScan = snapshots.scan();
    long snapshotSlot = snapshotScan.newest() == null ? 0 : snapshotScan.newest().slot();
    compacted = readCompacted();
    if (compacted > snapshotSlot) {
      log.error("{}: blocks through slot {} were compacted, but the newest intact snapshot is of"
          + " slot {}", dir, compacted, snapshotSlot);
      found.add(StateLoss.CHOSEN_BLOCKS);
    }
    ChosenFiles.Scan chosenScan =
        chosen.scan(recover, Math.min(compacted, snapshotSlot), snapshotSlot);
    for (long damaged : snapshotScan.damaged()) {
      if (damaged > chosenScan.lastSlot()) {
        found.add(StateLoss.CHOSEN_BLOCKS); // a committed snapshot held state no block still has
      }
    }
    LocalLogFile.Scan localScan = local.scan();
    if (acceptor.lost()) {
      found.add(StateLoss.ACCEPTOR_STATE);
    }
    if (chosenLost(chosenScan, before.clean(), before.cleanChosen(), before.sameBoot())) {
      found.add(StateLoss.CHOSEN_BLOCKS);
    }
    if (localLost(localScan, before.clean(), before.sameBoot())) {
      found.add(StateLoss.LOCAL_ENTRIES);
    }
    markLosses(found);

    snapshots.repair();
    chosen.repair();
    local.repair();
    boolean repaired = chosenScan.dropped() > 0 || !localScan.damaged().isEmpty();
    if (config.durability() == Durability.POWER && (recover || repaired)) {
      // What load() returns must be durable: a killed process may have left unsynced writes in
      // the page cache, and the node may act on them at once.
      acceptor.msync();
      chosen.msyncOpened();
      local.msyncOpened();
    }
    chosen.markSynced();
    local.markSynced();
    if (config.durability() == Durability.POWER) {
      // Only now, with every map durable, do the records of earlier epochs stop mattering.
      journal = Journal.openForWriting(dir, Journal.capacityFor(layout.voteBytesMax()));
      acceptor.journalTo(journal);
      local.journalTo(journal);
      chosen.journalTo(journal);
    } else {
      Journal.delete(dir); // PROCESS keeps none; a stale one must never be replayed later
    }
    opened =
        new StoredState(
            acceptor.identity(),
            acceptor.promised(),
            acceptor.votes(),
            chosenScan.blocks(),
            localScan.entries(),
            markedLosses,
            chosenScan.from(),
            snapshotScan.newest(),
            chosenScan.ahead(),
            acceptor.idFloor());
    report(recover, chosenScan, localScan, startNanos);
  }

  /**
   * After an unclean shutdown and a reboot: re-applies the journal's records of its current epoch to the map
   * files they name, in order, and syncs those files, so that every write a POWER-mode sync
   * acknowledged is in the maps before they are read. Records of a file that no longer exists (a
   * compacted chosen-block file) are skipped.
   */
  private void replayJournal() {
    List<Journal.Op> ops = Journal.replay(dir);
    if (ops.isEmpty()) {
      return;
    }
    java.util.Map<String, MapFile> files = new java.util.LinkedHashMap<>();
    int skipped = 0;
    try {
      for (Journal.Op op : ops) {
        MapFile f = files.get(op.name());
        if (f == null && !files.containsKey(op.name())) {
          MapFile.Sizing sizing = sizingOf(op.name());
          Path path = dir.resolve(op.name());
          f = sizing != null && Files.exists(path) ? MapFile.open(path, sizing, true) : null;
          files.put(op.name(), f);
        }
        if (f == null) {
          skipped++;
        } else if (op.value() == null) {
          f.remove(op.key());
        } else {
          f.put(op.key(), op.value());
        }
      }
      for (MapFile f : files.values()) {
        if (f != null) {
          f.msync();
        }
      }
    } finally {
      for (MapFile f : files.values()) {
        if (f != null) {
          f.close();
        }
      }
    }
    log.info("{}: replayed {} journal records into {} files ({} for files that are gone)", dir,
        ops.size() - skipped, files.values().stream().filter(java.util.Objects::nonNull).count(),
        skipped);
  }

  private MapFile.Sizing sizingOf(String name) {
    if (name.equals(ACCEPTOR_FILE)) {
      return layout.acceptorSizing();
    }
    if (name.equals(LOCAL_FILE)) {
      return layout.localSizing();
    }
    return name.startsWith("chosen-") && name.endsWith(".cm") ? layout.chosenSizing() : null;
  }

  /** Reads how the directory was left and adds what that alone shows lost to {@code found}. */
  private Before inspect(Set<StateLoss> found) {
    boolean hasAcceptor = Files.exists(dir.resolve(ACCEPTOR_FILE));
    // Files are created acceptor first, so others without it mean it was deleted or lost.
    boolean orphaned =
        !hasAcceptor && (Files.exists(dir.resolve(LOCAL_FILE)) || ChosenFiles.anyIn(dir)
            || Files.exists(dir.resolve(COMPACTED_FILE)));
    boolean clean = Files.exists(dir.resolve(CLEAN_MARKER));
    Before before =
        new Before(!hasAcceptor && !orphaned, clean, clean ? readCleanChosen() : -1, false);
    Session previous = Session.read(dir);
    Session now = Session.current(config.durability());
    markedLosses = readLossMarker();
    if (orphaned) {
      log.error("{}: {} is missing although the store holds other files", dir, ACCEPTOR_FILE);
      found.add(StateLoss.ACCEPTOR_STATE);
    }
    if (before.recover() && now.pageCacheMayBeLostSince(previous)) {
      log.warn("{}: the host rebooted after an unclean PROCESS-mode session", dir);
      found.add(StateLoss.UNSYNCED_WRITES);
    }
    return new Before(before.fresh(), clean, before.cleanChosen(), now.sameBootAs(previous));
  }

  private void report(
      boolean recover, ChosenFiles.Scan chosenScan, LocalLogFile.Scan localScan, long startNanos) {
    int corruptions = acceptor.corruptions() + chosen.corruptions() + local.corruptions();
    report =
        new OpenReport(
            recover,
            corruptions,
            chosenScan.dropped(),
            localScan.damaged().size(),
            markedLosses,
            System.nanoTime() - startNanos);
    log.info(
        "opened {}{}: {}, {} chosen blocks after slot {}, {} local entries{}{}",
        dir,
        recover ? " after an unclean shutdown (recovered)" : "",
        acceptor.identity() == null ? "no identity" : acceptor.identity(),
        chosenScan.blocks().size(),
        chosenScan.from(),
        localScan.entries().size(),
        markedLosses.isEmpty() ? "" : "; LOST " + markedLosses + " (R16)",
        chosenScan.ahead().isEmpty() ? ""
            : "; " + chosenScan.ahead().size() + " intact chosen blocks above slot "
                + (chosenScan.lastSlot() + 1) + " are handed to the node, which fetches only the"
                + " missing ones");
  }

  /**
   * True if an acknowledged chosen slot is missing: one below the synced watermark of a record
   * that survived; after a clean close, any dropped slot or fewer slots than the close recorded;
   * after a kill of the process (same boot, so the page cache kept every write), any slot present
   * above the first missing one, since only the write in flight can be missing or torn.
   */
  static boolean chosenLost(
      ChosenFiles.Scan scan, boolean clean, long cleanChosen, boolean sameBoot) {
    if (scan.lastSlot() < scan.watermark()) {
      return true;
    }
    if (clean) {
      return scan.dropped() > 0 || scan.lastSlot() < cleanChosen;
    }
    return sameBoot && scan.beyondGap() > 0;
  }

  /**
   * True if a damaged local-log record was acknowledged: below the synced watermark of a record
   * that survived; after a clean close, any; after a kill of the process (same boot), any but the
   * newest record, which may be the write in flight.
   */
  static boolean localLost(LocalLogFile.Scan scan, boolean clean, boolean sameBoot) {
    for (long key : scan.damaged()) {
      if (clean || key < scan.watermark() || (sameBoot && key != scan.highestKey())) {
        return true;
      }
    }
    return false;
  }

  /** Adds {@code found} to the loss marker, durably, if it adds anything. */
  private void markLosses(Set<StateLoss> found) {
    if (markedLosses.containsAll(found)) {
      return;
    }
    EnumSet<StateLoss> all = EnumSet.noneOf(StateLoss.class);
    all.addAll(markedLosses);
    all.addAll(found);
    Properties p = new Properties();
    p.setProperty("losses", all.stream().map(Enum::name).collect(Collectors.joining(",")));
    // Sticky until the node saves an identity again (Store.saveIdentity, R16): a crash while it
    // is a learner must not make the next open look healthy.
    Disk.writeProperties(dir.resolve(LOSS_MARKER), p, "modpaxos ChronicleStore losses (R16)");
    markedLosses = Set.copyOf(all);
  }

  /** The losses the marker records; an unreadable marker counts as lost acceptor state. */
  private Set<StateLoss> readLossMarker() {
    Properties p;
    try {
      p = Disk.readProperties(dir.resolve(LOSS_MARKER));
    } catch (StoreException e) {
      log.error("{}: {}", dir, e.getMessage());
      return Set.of(StateLoss.ACCEPTOR_STATE);
    }
    if (p == null) {
      return Set.of();
    }
    EnumSet<StateLoss> losses = EnumSet.noneOf(StateLoss.class);
    for (String name : p.getProperty("losses", "").split(",")) {
      try {
        losses.add(StateLoss.valueOf(name.trim()));
      } catch (IllegalArgumentException e) {
        log.error("{}: {} names an unknown loss '{}'", dir, LOSS_MARKER, name);
        losses.add(StateLoss.ACCEPTOR_STATE);
      }
    }
    return Set.copyOf(losses);
  }

  /** The compaction point COMPACTED_FILE records, 0 if none; unreadable counts as 0 (logged). */
  private long readCompacted() {
    try {
      Properties p = Disk.readProperties(dir.resolve(COMPACTED_FILE));
      return p == null ? 0 : Long.parseLong(p.getProperty("slot", "0"));
    } catch (StoreException | NumberFormatException e) {
      log.error("{}: {} is unreadable, reading the blocks from slot 1: {}", dir, COMPACTED_FILE,
          e.getMessage());
      return 0;
    }
  }

  /** The chosen slot count the last clean close recorded, or -1 if unknown. */
  private long readCleanChosen() {
    try {
      Properties p = Disk.readProperties(dir.resolve(CLEAN_MARKER));
      return p == null ? -1 : Long.parseLong(p.getProperty("chosenSlots", "-1"));
    } catch (StoreException | NumberFormatException e) {
      log.warn("{}: {} is unreadable: {}", dir, CLEAN_MARKER, e.getMessage());
      return -1;
    }
  }

  /** {@return the directory this store owns} */
  public Path directory() {
    return dir;
  }

  /** {@return the configuration it was opened with (sizing: see {@link ChronicleStoreConfig})} */
  public ChronicleStoreConfig config() {
    return config;
  }

  /** {@return what opening found: recovery, corruption, dropped slots, time taken} */
  public synchronized OpenReport openReport() {
    return report;
  }

  /**
   * Returns the state read when the store was opened. May be called once per open.
   *
   * @throws StoreException on a second call, or after close
   */
  @Override
  public synchronized StoredState load() {
    requireOpen();
    if (loaded) {
      throw new StoreException("load() was already called on " + this + "; reopen to read again");
    }
    loaded = true;
    StoredState state = opened;
    opened = null;
    return state;
  }

  /** Once synced, later opens no longer report the losses found before (R16). */
  @Override
  public synchronized void saveIdentity(StoreIdentity identity) {
    write(() -> {
      acceptor.saveIdentity(identity);
      clearLossesOnSync |= !markedLosses.isEmpty();
    });
  }

  @Override
  public boolean keepsIdFloor() {
    return true;
  }

  @Override
  public synchronized void saveIdFloor(dev.modpaxos.spi.IdFloor floor) {
    java.util.Objects.requireNonNull(floor, "floor");
    write(() -> acceptor.saveIdFloor(floor));
  }

  @Override
  public synchronized void savePromised(Ballot promised) {
    write(() -> acceptor.savePromised(promised));
  }

  @Override
  public synchronized void saveAccepted(Proposal accepted) {
    write(() -> acceptor.saveAccepted(accepted));
  }

  /** Appends a chosen block; a slot other than the next one is a StoreException at once. */
  @Override
  public synchronized void saveChosen(SlotBlock block) {
    write(() -> chosen.append(block.slot(), block.block()));
  }

  @Override
  public boolean supportsSnapshots() {
    return true;
  }

  /**
   * R20: a sink writing {@code snapshots/snapshot-<slot>.part}; may be called from any thread, and
   * the sink is written without this store's monitor.
   */
  @Override
  public SnapshotSink openSnapshot(long slot) {
    synchronized (this) {
      requireOpen();
    }
    return snapshots.open(slot);
  }

  /**
   * R20: records the compaction point durably at once ({@code COMPACTED}, written, fsynced and
   * renamed into place), then deletes the chosen-block files wholly at or below it.
   *
   * @throws StoreException if no committed snapshot covers {@code slot}; nothing changes
   */
  @Override
  public synchronized void compactThrough(long slot) {
    write(() -> compact(slot));
  }

  private void compact(long slot) {
    long covered = snapshots.newestSlot();
    if (covered < slot || covered < 0) {
      throw new StoreException("cannot compact through slot " + slot + ": no snapshot covers it"
          + " (newest: " + (covered < 0 ? "none" : Long.toString(covered)) + ")");
    }
    if (slot > compacted) {
      Properties p = new Properties();
      p.setProperty("slot", Long.toString(slot));
      Disk.writeProperties(dir.resolve(COMPACTED_FILE), p, "modpaxos ChronicleStore compaction");
      compacted = slot;
    }
    int deleted = chosen.compactThrough(slot);
    log.debug("{}: compacted through slot {}, {} chosen-block files deleted", dir, slot, deleted);
  }

  /** R20: the compaction point, 0 if none. */
  synchronized long compactedSlot() {
    return compacted;
  }

  /** The number of chosen-block files in the directory. */
  synchronized int chosenFileCount() {
    return chosen.fileCount();
  }

  @Override
  public synchronized void appendLocal(Entry entry) {
    write(() -> local.append(entry));
  }

  @Override
  public synchronized void removeLocal(Collection<EntryId> ids) {
    write(() -> local.remove(ids));
  }

  /**
   * PROCESS: returns at once (writes are already in the page cache). POWER: msyncs every file
   * written since the last sync. Then, if an identity was saved since losses were recorded,
   * deletes the loss marker.
   */
  @Override
  public synchronized void sync() {
    write(() -> {
      if (journal != null) {
        journal.sync(this::msyncAll); // one fdatasync; a full journal checkpoints the maps
      } else if (config.durability() == Durability.POWER) {
        msyncAll();
      }
      chosen.markSynced();
      local.markSynced();
      if (clearLossesOnSync) {
        Disk.deleteDurably(dir.resolve(LOSS_MARKER)); // only after the identity is durable
        clearLossesOnSync = false;
        markedLosses = Set.of();
      }
    });
  }

  /**
   * Runs a write or sync. An I/O failure in it (a {@link StoreIoException}, or an {@code
   * InternalError} the JVM raised for a fault in a mapped file) breaks the store: this and every
   * later call throw. A failure that changed nothing (a record too large, a slot out of order, a
   * full local log) does not.
   */
  private void write(Runnable body) {
    requireOpen();
    try {
      body.run();
    } catch (StoreException e) {
      if (StoreIoException.in(e)) {
        breakOn(e);
      }
      throw e;
    } catch (InternalError e) {
      StoreException se = new StoreIoException(dir + ": " + StoreIoException.reason(e), e);
      breakOn(se);
      throw se;
    }
  }

  private void breakOn(StoreException e) {
    if (broken == null) {
      broken = e;
      log.error("{}: {}; the store takes no more writes until it is reopened", dir,
          e.getMessage());
    }
  }

  private void msyncAll() {
    acceptor.msync();
    local.msync();
    chosen.msync();
  }

  /**
   * msyncs every file (in both modes), closes them, leaves the clean-shutdown marker and releases
   * the directory. Idempotent. If this fails, the marker is not written and the next open recovers.
   * After an I/O failure of a write or sync it closes the files without msync and without the
   * marker, as a crash would, and does not throw.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    opened = null;
    if (broken != null) {
      // A write may be half-done: leave the directory as a crash would, for recovery.
      closeFilesQuietly();
      lock.close();
      log.warn("{}: closed without the clean marker after: {}", dir, broken.getMessage());
      return;
    }
    try {
      msyncAll();
      if (clearLossesOnSync) {
        Disk.deleteDurably(dir.resolve(LOSS_MARKER)); // close makes pending writes durable too
      }
      long chosenSlots = chosen.lastSlot();
      closeFiles();
      Properties p = new Properties();
      p.setProperty("chosenSlots", Long.toString(chosenSlots));
      Disk.writeProperties(dir.resolve(CLEAN_MARKER), p, "modpaxos ChronicleStore clean close");
    } catch (RuntimeException e) {
      closeFilesQuietly();
      throw e instanceof StoreException se ? se : new StoreException("cannot close " + this, e);
    } finally {
      lock.close();
    }
  }

  /**
   * For tests: leaves the directory as a process killed now would. The files are closed without
   * msync, no clean marker is written, the loss marker is left as it is and the lock is released.
   * Writes since the last sync stay in the page cache, as after a real kill -9.
   */
  synchronized void simulateCrash() {
    if (closed) {
      return;
    }
    closed = true;
    opened = null;
    try {
      closeFiles();
    } finally {
      lock.close();
    }
  }

  private void closeFiles() {
    if (journal != null) {
      journal.close();
    }
    if (snapshots != null) {
      snapshots.close();
    }
    if (acceptor != null) {
      acceptor.close();
    }
    if (local != null) {
      local.close();
    }
    if (chosen != null) {
      chosen.close();
    }
  }

  private void closeFilesQuietly() {
    try {
      closeFiles();
    } catch (RuntimeException e) {
      log.warn("{}: closing after a failure: {}", dir, e.getMessage());
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new StoreException(this + " is closed");
    }
    if (broken != null) {
      throw new StoreException(this + " takes no more writes after an I/O failure: "
          + broken.getMessage(), broken);
    }
  }

  @Override
  public String toString() {
    return "ChronicleStore[" + dir + "]";
  }
}
