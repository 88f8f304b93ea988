package dev.modpaxos.storage.chronicle;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.EntryId;
import dev.modpaxos.protocol.Proposal;
import dev.modpaxos.protocol.SlotBlock;
import dev.modpaxos.spi.Store;
import dev.modpaxos.spi.StoreException;
import dev.modpaxos.spi.StoredState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A crash-safe {@link Store} on Chronicle Map files in one directory. Thread-safe (synchronized),
 * though the SPI calls it from one thread.
 *
 * <p><b>Files.</b> {@code acceptor.cm} (promised ballot, accepted value), {@code local.cm} (the
 * local log), {@code chosen-<first slot>.cm} (chosen blocks, a new file every {@code
 * chosenBlocksPerFile} slots or when one fills), {@code LAYOUT} (sizing, fixed at creation),
 * {@code SESSION} (boot id and durability of the last opener), {@code CLEAN} (present only after a
 * clean {@link #close()}), {@code LOCK} (held while open). Every record carries a CRC32C.
 *
 * <p><b>Durability.</b> Every write goes straight into the page cache (memory-mapped files), so a
 * write survives a kill of the process as soon as the call returns. {@link #sync()} adds what the
 * configured {@link Durability} asks: nothing for {@code PROCESS}, an msync of every written file
 * for {@code POWER}. {@link #close()} msyncs in both modes.
 *
 * <p><b>Recovery.</b> Opening a directory without the clean-shutdown marker reopens the map files
 * with Chronicle's recovery. Lost or corrupt acceptor state, lost chosen slots, or a reboot since
 * an unclean PROCESS-mode session make {@link #load()} report {@code acceptorStateLost} (R16).
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
  /** Present while the acceptor state is known lost and no promise was synced since (R16). */
  static final String LOST_MARKER = "ACCEPTOR_STATE_LOST";
  static final String ACCEPTOR_FILE = "acceptor.cm";
  static final String LOCAL_FILE = "local.cm";

  private final Path dir;
  private final ChronicleStoreConfig config;
  private final Layout layout;
  private final DirectoryLock lock;
  private AcceptorFile acceptor;
  private LocalLogFile local;
  private ChosenFiles chosen;
  // The state read at open; handed out by the first load(), then dropped.
  private StoredState opened;
  private boolean loaded;
  private OpenReport report;
  // True while LOST_MARKER exists; a promise saved then makes the next sync remove it.
  private boolean lostMarker;
  private boolean clearLostMarkerOnSync;
  private boolean closed;

  private ChronicleStore(Path dir, ChronicleStoreConfig config, Layout layout, DirectoryLock lock) {
    this.dir = dir;
    this.config = config;
    this.layout = layout;
    this.lock = lock;
  }

  /** Opens (or creates) the store in {@code dir} with {@link ChronicleStoreConfig#defaults()}. */
  public static ChronicleStore open(Path dir) {
    return open(dir, ChronicleStoreConfig.defaults());
  }

  /**
   * Opens the store in {@code dir}, creating the directory and its files if needed, recovering
   * them if the previous owner did not close cleanly, and reading the whole state for {@link
   * #load()}. Blocks on I/O; recovery time grows with the size of the newest files.
   *
   * @throws StoreException if the directory is in use by another opener, or cannot be read
   */
  public static ChronicleStore open(Path dir, ChronicleStoreConfig config) {
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

  private void openFiles(long startNanos) {
    boolean fresh = !Files.exists(dir.resolve(ACCEPTOR_FILE));
    boolean recover = !fresh && !Files.exists(dir.resolve(CLEAN_MARKER));
    Session now = Session.current(config.durability());
    boolean pageCacheLost = recover && now.pageCacheMayBeLostSince(Session.read(dir));
    // From here on a crash must lead to recovery, so the marker goes before any map is opened.
    Disk.deleteDurably(dir.resolve(CLEAN_MARKER));
    now.write(dir);

    acceptor = new AcceptorFile(MapFile.open(dir.resolve(ACCEPTOR_FILE), layout.acceptorSizing(), recover));
    local = new LocalLogFile(MapFile.open(dir.resolve(LOCAL_FILE), layout.localSizing(), recover));
    chosen = new ChosenFiles(dir, layout);
    acceptor.load(fresh, recover);
    List<Block> blocks = chosen.load(recover);
    List<Entry> entries = local.load();
    boolean lostBefore = Files.exists(dir.resolve(LOST_MARKER));
    boolean lost = lostBefore || acceptor.lost() || chosen.historyLost() || pageCacheLost;
    if (lost && !lostBefore) {
      // Sticky until the node saves a promise again (Store.savePromised, R16): a crash while it
      // abstains must not make the next open look healthy.
      Disk.writeAtomically(dir.resolve(LOST_MARKER), new byte[0]);
    }
    lostMarker = lost;
    opened = new StoredState(acceptor.promised(), acceptor.accepted(), blocks, entries, lost);
    int corruptions = acceptor.corruptions() + chosen.corruptions() + local.corruptions();
    report =
        new OpenReport(
            recover,
            corruptions,
            chosen.slotsDropped(),
            local.corruptRecords(),
            lost,
            System.nanoTime() - startNanos);
    log.info(
        "opened {}{}: {} chosen blocks, {} local entries{}",
        dir,
        recover ? " after an unclean shutdown (recovered)" : "",
        blocks.size(),
        entries.size(),
        lost ? "; acceptor state LOST, not voting until caught up (R16)" : "");
    if (pageCacheLost) {
      log.warn("{}: the host rebooted after an unclean PROCESS-mode session", dir);
    }
  }

  /** The directory this store owns. */
  public Path directory() {
    return dir;
  }

  /** The configuration it was opened with (sizing: see {@link ChronicleStoreConfig}). */
  public ChronicleStoreConfig config() {
    return config;
  }

  /** What opening found: recovery, corruption, dropped slots, time taken. */
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

  @Override
  public synchronized void savePromised(Ballot promised) {
    requireOpen();
    acceptor.savePromised(promised);
    clearLostMarkerOnSync |= lostMarker;
  }

  @Override
  public synchronized void saveAccepted(Proposal accepted) {
    requireOpen();
    acceptor.saveAccepted(accepted);
  }

  /** Appends a chosen block; a slot other than the next one is a StoreException at once. */
  @Override
  public synchronized void saveChosen(SlotBlock block) {
    requireOpen();
    chosen.append(block.slot(), block.block());
  }

  @Override
  public synchronized void appendLocal(Entry entry) {
    requireOpen();
    local.append(entry);
  }

  @Override
  public synchronized void removeLocal(Collection<EntryId> ids) {
    requireOpen();
    local.remove(ids);
  }

  /** PROCESS: returns at once (writes are already in the page cache). POWER: msyncs. */
  @Override
  public synchronized void sync() {
    requireOpen();
    if (config.durability() == Durability.POWER) {
      msyncAll();
    }
    if (clearLostMarkerOnSync) {
      Disk.deleteDurably(dir.resolve(LOST_MARKER)); // only after the promise is durable
      clearLostMarkerOnSync = false;
      lostMarker = false;
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
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    opened = null;
    try {
      msyncAll();
      if (clearLostMarkerOnSync) {
        Disk.deleteDurably(dir.resolve(LOST_MARKER)); // close makes pending writes durable too
      }
      closeFiles();
      Disk.writeAtomically(dir.resolve(CLEAN_MARKER), new byte[0]);
    } catch (RuntimeException e) {
      closeFilesQuietly();
      throw e instanceof StoreException se ? se : new StoreException("cannot close " + this, e);
    } finally {
      lock.close();
    }
  }

  private void closeFiles() {
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
  }

  @Override
  public String toString() {
    return "ChronicleStore[" + dir + "]";
  }
}
