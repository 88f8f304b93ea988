package dev.modpaxos.storage.chronicle;

import dev.modpaxos.spi.StoreException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;

/**
 * Small durable-file operations on the store directory: fsync, atomic replace, markers. Failures
 * are {@link StoreIoException}s with a one-line reason ("the disk is full (...)" when it is).
 */
final class Disk {
  private Disk() {}

  /** fsyncs a directory, so that files created, renamed or deleted in it stay so. */
  static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      throw new StoreIoException(
          "cannot fsync directory " + dir + ": " + StoreIoException.reason(e), e);
    }
  }

  /** Replaces {@code file} with {@code content} atomically and durably (write, fsync, rename). */
  static void writeAtomically(Path file, byte[] content) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(content);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp); // give back its space
      } catch (IOException ignored) {
        // The write's failure is the one to report.
      }
      throw new StoreIoException("cannot write " + file + ": " + StoreIoException.reason(e), e);
    }
    syncDirectory(file.getParent());
  }

  static void writeProperties(Path file, Properties props, String comment) {
    StringWriter out = new StringWriter();
    try {
      props.store(out, comment);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    writeAtomically(file, out.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** Reads a properties file, or returns null if it does not exist. */
  static Properties readProperties(Path file) {
    if (!Files.exists(file)) {
      return null;
    }
    Properties props = new Properties();
    try {
      props.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
    } catch (IOException | IllegalArgumentException e) {
      throw new StoreException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return props;
  }

  /** Deletes {@code file} if present and makes the deletion durable. */
  static void deleteDurably(Path file) {
    try {
      if (Files.deleteIfExists(file)) {
        syncDirectory(file.getParent());
      }
    } catch (IOException e) {
      throw new StoreIoException("cannot delete " + file + ": " + StoreIoException.reason(e), e);
    }
  }

  static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new StoreIoException("cannot delete " + file + ": " + StoreIoException.reason(e), e);
    }
  }
}
