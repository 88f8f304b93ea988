package dev.modpaxos.storage.chronicle;

import dev.modpaxos.spi.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run by {@link JvmFlagsTest} in a child JVM started without Chronicle's flags: opens a store in
 * {@code args[0]} and prints the one-line outcome, then whether the directory was left untouched.
 */
final class NoJvmFlagsMain {
  private NoJvmFlagsMain() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    try (ChronicleStore store = ChronicleStore.open(dir)) {
      System.out.println("OPENED " + store.directory());
    } catch (StoreException e) {
      System.out.println("REFUSED " + e.getMessage());
    } catch (RuntimeException e) {
      System.out.println("OTHER " + e);
    }
    System.out.println("CREATED " + Files.exists(dir));
  }
}
