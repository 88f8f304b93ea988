package dev.modpaxos.storage.chronicle;

import dev.modpaxos.spi.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code --add-opens} / {@code --add-exports} flags Chronicle Map needs on Java 17
 * (docs/STORAGE.md), checked before a store touches anything, so that a JVM started without them
 * gets one error naming the missing flags instead of an {@code InaccessibleObjectException} from
 * deep inside Chronicle. A flag for a module this JVM does not have (a runtime without {@code
 * jdk.compiler}) is not required.
 */
final class JvmFlags {
  /** module/package pairs that must be opened to this code. */
  private static final String[][] OPENS = {
    {"jdk.compiler", "com.sun.tools.javac"},
    {"java.base", "java.lang"},
    {"java.base", "java.lang.reflect"},
    {"java.base", "java.io"},
    {"java.base", "java.util"},
  };

  /** module/package pairs that must be exported to this code. */
  private static final String[][] EXPORTS = {
    {"java.base", "jdk.internal.ref"},
    {"java.base", "sun.nio.ch"},
    {"jdk.unsupported", "sun.misc"},
    {"jdk.compiler", "com.sun.tools.javac.file"},
  };

  private JvmFlags() {}

  /** The flags missing from this JVM, in the order docs/STORAGE.md lists them; empty if none. */
  static List<String> missing() {
    Module self = JvmFlags.class.getModule();
    List<String> missing = new ArrayList<>();
    for (String[] e : EXPORTS) {
      Optional<Module> m = ModuleLayer.boot().findModule(e[0]);
      if (m.isPresent() && !m.get().isExported(e[1], self)) {
        missing.add("--add-exports=" + e[0] + "/" + e[1] + "=" + target(self));
      }
    }
    for (String[] o : OPENS) {
      Optional<Module> m = ModuleLayer.boot().findModule(o[0]);
      if (m.isPresent() && !m.get().isOpen(o[1], self)) {
        missing.add("--add-opens=" + o[0] + "/" + o[1] + "=" + target(self));
      }
    }
    return missing;
  }

  /**
   * Throws naming every missing flag, if any is missing.
   *
   * @throws StoreException if this JVM lacks a flag Chronicle Map needs
   */
  static void require() {
    List<String> missing = missing();
    if (!missing.isEmpty()) {
      throw new StoreException(
          "ChronicleStore needs JVM flags this JVM was started without (Chronicle Map on Java 17,"
              + " see docs/STORAGE.md): " + String.join(" ", missing));
    }
  }

  private static String target(Module self) {
    return self.isNamed() ? self.getName() : "ALL-UNNAMED";
  }
}
