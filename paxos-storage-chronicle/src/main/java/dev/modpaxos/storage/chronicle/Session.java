package dev.modpaxos.storage.chronicle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Who last opened a store directory: the host's boot id and the durability mode. After an unclean
 * shutdown, a PROCESS-mode session under a different boot id means the host went down with writes
 * still only in its page cache, so any of them may be gone.
 *
 * @param bootId the Linux boot id, or null where the platform has none
 */
record Session(String bootId, Durability durability) {
  static final String FILE = "SESSION";
  private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

  static Session current(Durability durability) {
    String bootId = null;
    try {
      bootId = Files.readString(BOOT_ID, StandardCharsets.US_ASCII).trim();
    } catch (IOException | RuntimeException e) {
      // Not Linux: the reboot check is then skipped.
    }
    return new Session(bootId, durability);
  }

  /** The previous session, or null if none was recorded (or the record is unreadable). */
  static Session read(Path dir) {
    Properties p = Disk.readProperties(dir.resolve(FILE));
    if (p == null) {
      return null;
    }
    try {
      return new Session(p.getProperty("bootId"), Durability.valueOf(p.getProperty("durability")));
    } catch (RuntimeException e) {
      return null;
    }
  }

  void write(Path dir) {
    Properties p = new Properties();
    if (bootId != null) {
      p.setProperty("bootId", bootId);
    }
    p.setProperty("durability", durability.name());
    Disk.writeProperties(dir.resolve(FILE), p, "modpaxos ChronicleStore session");
  }

  /**
   * True if the host has not rebooted since {@code previous}, so the page cache kept every write
   * that session made, synced or not. False when either boot id is unknown.
   */
  boolean sameBootAs(Session previous) {
    return previous != null && bootId != null && bootId.equals(previous.bootId());
  }

  /**
   * True if writes the previous session acknowledged may have been lost with the page cache: it
   * ran in PROCESS mode and the host has rebooted since (or we cannot tell).
   */
  boolean pageCacheMayBeLostSince(Session previous) {
    if (previous == null) {
      return true;
    }
    if (previous.durability() != Durability.PROCESS) {
      return false;
    }
    return bootId == null || previous.bootId() == null || !bootId.equals(previous.bootId());
  }
}
