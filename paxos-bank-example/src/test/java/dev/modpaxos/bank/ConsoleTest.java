package dev.modpaxos.bank;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.jline.reader.Candidate;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.Test;

/** The interactive menu's completion: case does not matter, as it does not for the commands. */
class ConsoleTest {
  @Test
  void tabCompletionIgnoresCase() throws Exception {
    try (Terminal t = TerminalBuilder.builder().dumb(true).streams(
        new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream()).build()) {
      LineReader reader = LineReaderBuilder.builder().terminal(t).completer(Console.completer())
          .build();
      Console.configure(reader);
      assertThat(reader.isSet(LineReader.Option.CASE_INSENSITIVE)).isTrue();
      List<Candidate> words = new ArrayList<>();
      Console.completer().complete(reader, new DefaultParser().parse("printb", 6), words);
      assertThat(words.stream().map(Candidate::value)
          .filter(w -> w.toLowerCase().startsWith("printb"))).containsExactly("PrintBalance");
    }
  }
}
