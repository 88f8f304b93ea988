package dev.modpaxos.storage.chronicle;

import dev.modpaxos.spi.StoreException;
import java.nio.file.Path;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sizing a store directory was created with, kept in its {@code LAYOUT} file together with
 * the store format. Chronicle map files cannot be resized, and recovery must rebuild them with the
 * same configuration, so these values are fixed for the life of the directory.
 *
 * <p>Format 2 added the store identity and member generations in ballots ({@code RecordCodec}).
 * Format 3 keeps a vote per slot in a ring of cells ({@code AcceptorFile}) instead of one accepted
 * value, and adds {@code voteBytesMax}. Format 4 adds snapshots and compaction (R20): the
 * {@code snapshots/} directory and the {@code COMPACTED} file, and chosen-block files that may
 * start above slot 1. A format-3 directory is a format-4 one without them, so it is upgraded in
 * place (its {@code LAYOUT} rewritten, durably, before anything else changes); a build that reads
 * format 3 only then refuses it, as it must, since it would take the missing compacted blocks
 * for lost ones. A directory of format 1 or 2 is refused with a one-line error; nothing converts
 * it.
 */
record Layout(
    long chosenBlocksPerFile,
    int averageBlockBytes,
    int voteBytesMax,
    long localLogEntries,
    int averageEntryBytes) {
  static final String FILE = "LAYOUT";
  static final int FORMAT = 4;
  /** The older format this version upgrades in place: format 4 only adds to it. */
  static final int UPGRADED_FORMAT = 3;
  private static final Logger log = LoggerFactory.getLogger(Layout.class);

  static Layout of(ChronicleStoreConfig c) {
    return new Layout(
        c.chosenBlocksPerFile(),
        c.averageBlockBytes(),
        c.voteBytesMax(),
        c.localLogEntries(),
        c.averageEntryBytes());
  }

  /** Reads the directory's layout, or records {@code config}'s sizing if there is none yet. */
  static Layout readOrCreate(Path dir, ChronicleStoreConfig config) {
    Path file = dir.resolve(FILE);
    Layout wanted = of(config);
    Properties props = Disk.readProperties(file);
    if (props == null) {
      if (MapFile.anyIn(dir)) {
        throw new StoreException(
            dir + " holds map files but no " + FILE + " file, so their format is unknown; it is"
                + " not a store this version can open");
      }
      Disk.writeProperties(file, wanted.toProperties(), "modpaxos ChronicleStore layout");
      return wanted;
    }
    Layout existing = fromProperties(file, props);
    if (Integer.parseInt(props.getProperty("format")) == UPGRADED_FORMAT) {
      Disk.writeProperties(file, existing.toProperties(), "modpaxos ChronicleStore layout");
      log.info("{}: upgraded the store from format {} to {} (snapshots and compaction)", dir,
          UPGRADED_FORMAT, FORMAT);
    }
    if (!existing.equals(wanted)) {
      log.info("{}: using the recorded layout {}, not the configured {}", dir, existing, wanted);
    }
    return existing;
  }

  MapFile.Sizing acceptorSizing() {
    // Two copies each of the identity, the promise and every vote cell, each up to voteBytesMax
    // (AcceptorFile refuses a larger vote). Chronicle allots about twice entries * average (36
    // records of 1 MiB average: a 78 MB file), so half the largest as the average leaves room for
    // every copy at its largest, however the votes are replaced or moved (ChronicleStoreFilesTest
    // fills them). Sparse: only what is written takes disk.
    return new MapFile.Sizing("acceptor", AcceptorFile.RECORDS, voteBytesMax / 2.0, 1.0);
  }

  MapFile.Sizing chosenSizing() {
    return new MapFile.Sizing("chosen", chosenBlocksPerFile, averageBlockBytes, 1.0);
  }

  MapFile.Sizing localSizing() {
    return new MapFile.Sizing("local", localLogEntries, averageEntryBytes, 1.0);
  }

  private Properties toProperties() {
    Properties p = new Properties();
    p.setProperty("format", Integer.toString(FORMAT));
    p.setProperty("chosenBlocksPerFile", Long.toString(chosenBlocksPerFile));
    p.setProperty("averageBlockBytes", Integer.toString(averageBlockBytes));
    p.setProperty("voteBytesMax", Integer.toString(voteBytesMax));
    p.setProperty("localLogEntries", Long.toString(localLogEntries));
    p.setProperty("averageEntryBytes", Integer.toString(averageEntryBytes));
    return p;
  }

  private static String describe(int format) {
    return switch (format) {
      case 1 -> "written before member identities and generations";
      case 2 -> "written before votes were kept per slot";
      case 3 -> "written before snapshots";
      default -> "unknown";
    };
  }

  private static Layout fromProperties(Path file, Properties p) {
    try {
      int format = Integer.parseInt(p.getProperty("format"));
      if (format != FORMAT && format != UPGRADED_FORMAT) {
        throw new StoreException(
            file.getParent() + " is a store of format " + format + " (" + describe(format)
                + "); this version reads formats " + UPGRADED_FORMAT + " and " + FORMAT
                + " only: move the directory aside and start the member on an empty one"
                + " (docs/STORAGE.md, \"Old store directories\")");
      }
      return new Layout(
          Long.parseLong(p.getProperty("chosenBlocksPerFile")),
          Integer.parseInt(p.getProperty("averageBlockBytes")),
          Integer.parseInt(p.getProperty("voteBytesMax")),
          Long.parseLong(p.getProperty("localLogEntries")),
          Integer.parseInt(p.getProperty("averageEntryBytes")));
    } catch (NumberFormatException e) {
      throw new StoreException(file + " is damaged: " + e.getMessage(), e);
    }
  }
}
