package dev.modpaxos.example.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's key-value quick start and test-kit example are the compiled code: each README
 * block between {@code <!-- NAME:BEGIN -->} and {@code <!-- NAME:END -->} must equal the regions
 * marked {@code // NAME:BEGIN part} ... {@code // NAME:END part} in the sources, de-indented and
 * joined by a blank line. Change the source, then copy it into the README.
 */
class ReadmeSnippetsTest {
  private static final Path README = Path.of("..", "README.md");
  private static final Path MAIN = Path.of("src/main/java/dev/modpaxos/example/kv");
  private static final Path TEST = Path.of("src/test/java/dev/modpaxos/example/kv");

  @Test
  void theQuickStartIsTheCompiledStoreNodeAndUsage() throws IOException {
    String expected =
        String.join(
            "\n\n",
            region(MAIN.resolve("KvStore.java"), "README-QUICKSTART", "store"),
            region(MAIN.resolve("KvNode.java"), "README-QUICKSTART", "node"),
            region(TEST.resolve("KvLocalClusterTest.java"), "README-QUICKSTART", "usage"));
    assertThat(readmeBlock("KV-QUICKSTART")).isEqualTo(expected);
  }

  @Test
  void theTestKitExampleIsTheCompiledSimulationTest() throws IOException {
    assertThat(readmeBlock("KV-SIMULATION"))
        .isEqualTo(region(TEST.resolve("KvSimulationTest.java"), "README-SIMULATION", "kit"));
  }

  /** The lines of {@code file} between its markers for {@code part}, de-indented. */
  static String region(Path file, String name, String part) throws IOException {
    List<String> lines = Files.readAllLines(file);
    int begin = lines.indexOf(indentOf(lines, "// " + name + ":BEGIN " + part));
    int end = lines.indexOf(indentOf(lines, "// " + name + ":END " + part));
    assertThat(begin).as("%s marks %s:BEGIN %s", file, name, part).isNotNegative();
    assertThat(end).as("%s marks %s:END %s", file, name, part).isGreaterThan(begin);
    List<String> body = lines.subList(begin + 1, end);
    int indent = Integer.MAX_VALUE;
    for (String l : body) {
      if (!l.isBlank()) {
        indent = Math.min(indent, l.length() - l.stripLeading().length());
      }
    }
    List<String> out = new ArrayList<>();
    for (String l : body) {
      out.add(l.isBlank() ? "" : l.substring(indent));
    }
    return String.join("\n", out);
  }

  private static String indentOf(List<String> lines, String marker) {
    for (String l : lines) {
      if (l.strip().equals(marker)) {
        return l;
      }
    }
    return marker;
  }

  /** The fenced code inside the README's {@code <!-- name:BEGIN -->} block. */
  static String readmeBlock(String name) throws IOException {
    String readme = Files.readString(README);
    int b = readme.indexOf("<!-- " + name + ":BEGIN");
    int e = readme.indexOf("<!-- " + name + ":END");
    assertThat(b).as("README has the %s markers", name).isNotNegative();
    assertThat(e).as("README has the %s:END marker", name).isGreaterThan(b);
    String block = readme.substring(readme.indexOf('\n', b) + 1, e).strip();
    assertThat(block).as("the %s block is one ```java fence", name).startsWith("```java\n")
        .endsWith("\n```");
    return block.substring("```java\n".length(), block.length() - "\n```".length());
  }
}
