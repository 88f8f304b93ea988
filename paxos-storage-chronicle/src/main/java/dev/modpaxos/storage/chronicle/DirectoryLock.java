package dev.modpaxos.storage.chronicle;

import dev.modpaxos.spi.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a store directory: one process, and one store instance, per directory.
 * The lock file holds the owner's process id for the error message of a second opener.
 */
final class DirectoryLock implements AutoCloseable {
  static final String FILE = "LOCK";

  private final FileChannel channel;
  private final FileLock lock;

  private DirectoryLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock without waiting; a held lock is a StoreException naming the holder. */
  static DirectoryLock acquire(Path dir) {
    Path file = dir.resolve(FILE);
    FileChannel channel;
    try {
      channel =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new StoreException("cannot open lock file " + file + ": " + e.getMessage(), e);
    }
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      closeQuietly(channel);
      throw new StoreException(
          "store directory " + dir + " is already open in this JVM; open it once and share it");
    } catch (IOException e) {
      closeQuietly(channel);
      throw new StoreException("cannot lock " + file + ": " + e.getMessage(), e);
    }
    if (lock == null) {
      closeQuietly(channel);
      throw new StoreException(
          "store directory " + dir + " is locked by another process (pid " + holder(file)
              + "); one process per store directory");
    }
    try {
      byte[] pid = Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8);
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(pid), 0);
    } catch (IOException e) {
      // The pid is only for error messages; the lock itself is held.
    }
    return new DirectoryLock(channel, lock);
  }

  private static String holder(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Nothing more to release.
    }
  }

  /** Releases the lock. Idempotent. */
  @Override
  public void close() {
    try {
      if (lock.isValid()) {
        lock.release();
      }
      channel.close();
    } catch (IOException e) {
      throw new StoreException("cannot release the directory lock: " + e.getMessage(), e);
    }
  }
}
