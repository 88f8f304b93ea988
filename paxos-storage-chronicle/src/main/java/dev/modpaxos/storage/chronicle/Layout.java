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
 * A directory of another format is refused with a one-line error; nothing converts it.
 */
record Layout(
    long chosenBlocksPerFile, int averageBlockBytes, long localLogEntries, int averageEntryBytes) {
  static final String FILE = "LAYOUT";
  static final int FORMAT = 2;
  private static final Logger log = LoggerFactory.getLogger(Layout.class);

  static Layout of(ChronicleStoreConfig c) {
    return new Layout(
        c.chosenBlocksPerFile(), c.averageBlockBytes(), c.localLogEntries(), c.averageEntryBytes());
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
    if (!existing.equals(wanted)) {
      log.info("{}: using the recorded layout {}, not the configured {}", dir, existing, wanted);
    }
    return existing;
  }

  MapFile.Sizing acceptorSizing() {
    // Two copies each of the identity, the promise and the accepted value; an accepted value may
    // be as large as any chosen block, and is replaced in place or moved.
    double average = Math.max(averageBlockBytes, chosenBlocksPerFile * (double) averageBlockBytes / 4);
    return new MapFile.Sizing("acceptor", AcceptorFile.RECORDS, average, 2.0);
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
    p.setProperty("localLogEntries", Long.toString(localLogEntries));
    p.setProperty("averageEntryBytes", Integer.toString(averageEntryBytes));
    return p;
  }

  private static String describe(int format) {
    return format == 1 ? "written before member identities and generations" : "unknown";
  }

  private static Layout fromProperties(Path file, Properties p) {
    try {
      int format = Integer.parseInt(p.getProperty("format"));
      if (format != FORMAT) {
        throw new StoreException(
            file.getParent() + " is a store of format " + format + " (" + describe(format)
                + "); this version reads format " + FORMAT + " only: move the directory aside and"
                + " start the member on an empty one (docs/STORAGE.md, \"Old store directories\")");
      }
      return new Layout(
          Long.parseLong(p.getProperty("chosenBlocksPerFile")),
          Integer.parseInt(p.getProperty("averageBlockBytes")),
          Long.parseLong(p.getProperty("localLogEntries")),
          Integer.parseInt(p.getProperty("averageEntryBytes")));
    } catch (NumberFormatException e) {
      throw new StoreException(file + " is damaged: " + e.getMessage(), e);
    }
  }
}
