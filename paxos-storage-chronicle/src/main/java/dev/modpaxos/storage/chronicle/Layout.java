package dev.modpaxos.storage.chronicle;

import dev.modpaxos.spi.StoreException;
import java.nio.file.Path;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sizing a store directory was created with, kept in its {@code LAYOUT} file. Chronicle map
 * files cannot be resized, and recovery must rebuild them with the same configuration, so these
 * values are fixed for the life of the directory.
 */
record Layout(
    long chosenBlocksPerFile, int averageBlockBytes, long localLogEntries, int averageEntryBytes) {
  static final String FILE = "LAYOUT";
  private static final int FORMAT = 1;
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
    // Two keys; a value may be as large as any chosen block, and is replaced in place or moved.
    double average = Math.max(averageBlockBytes, chosenBlocksPerFile * (double) averageBlockBytes / 4);
    return new MapFile.Sizing("acceptor", 4, average, 2.0);
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

  private static Layout fromProperties(Path file, Properties p) {
    try {
      int format = Integer.parseInt(p.getProperty("format"));
      if (format != FORMAT) {
        throw new StoreException(file + " has format " + format + ", this version reads " + FORMAT);
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
