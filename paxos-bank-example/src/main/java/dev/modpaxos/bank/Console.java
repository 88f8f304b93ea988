package dev.modpaxos.bank;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.completer.ArgumentCompleter;
import org.jline.reader.impl.completer.NullCompleter;
import org.jline.reader.impl.completer.StringsCompleter;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * Feeds menu lines to a {@link Menu}: interactively through JLine (history, tab completion of
 * commands and servers), or in batch from a stream, echoing each line, until {@code exit} or end
 * of input.
 */
final class Console {
  private Console() {}

  /** Reads commands from {@code in}, echoing each, until exit or end of input. */
  static void batch(Menu menu, InputStream in, PrintStream out) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    for (String line = r.readLine(); line != null; line = r.readLine()) {
      out.println("bank> " + line);
      if (!menu.execute(line)) {
        return;
      }
    }
  }

  /** The interactive menu on the terminal, until exit, Ctrl-D or Ctrl-C. */
  static void interactive(Menu menu, Session session, Path historyFile) throws IOException {
    try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
      LineReader reader =
          LineReaderBuilder.builder()
              .terminal(terminal)
              .appName("bank")
              .completer(completer())
              .variable(LineReader.HISTORY_FILE, historyFile)
              .build();
      while (true) {
        String prompt = session.hasNextSet()
            ? "bank [next: set " + session.peekNextSet().number() + "]> "
            : "bank [all sets done]> ";
        String line;
        try {
          line = reader.readLine(prompt);
        } catch (UserInterruptException | EndOfFileException e) {
          return;
        }
        if (!menu.execute(line)) {
          return;
        }
      }
    }
  }

  private static ArgumentCompleter completer() {
    List<String> args = new ArrayList<>(List.of("all"));
    for (int id : Servers.IDS) {
      args.add(Servers.name(id));
    }
    ArgumentCompleter c = new ArgumentCompleter(
        new StringsCompleter(Menu.words()), new StringsCompleter(args), NullCompleter.INSTANCE);
    c.setStrict(false);
    return c;
  }
}
