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

  /** Reads commands from {@code in}, echoing each, until exit or end of input. Returns 0. */
  static int batch(Menu menu, InputStream in, PrintStream out) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    for (String line = r.readLine(); line != null; line = r.readLine()) {
      out.println("bank> " + line);
      if (!menu.execute(line)) {
        return 0;
      }
    }
    return 0;
  }

  /**
   * The interactive menu on the terminal, until exit or Ctrl-D (exit code 0) or Ctrl-C twice in a
   * row (130). One Ctrl-C cancels the line being typed. Ctrl-C while a set runs ends the JVM; its
   * shutdown hook closes the nodes and stores cleanly.
   */
  static int interactive(Menu menu, Session session, Path historyFile) throws IOException {
    try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
      LineReader reader =
          LineReaderBuilder.builder()
              .terminal(terminal)
              .appName("bank")
              .completer(completer())
              .variable(LineReader.HISTORY_FILE, historyFile)
              .build();
      configure(reader);
      boolean interrupted = false;
      while (true) {
        String prompt = session.hasNextSet()
            ? "bank [next: set " + session.peekNextSet().number() + "]> "
            : "bank [all sets done]> ";
        String line;
        try {
          line = reader.readLine(prompt);
        } catch (UserInterruptException e) {
          if (interrupted) {
            return BankMain.EXIT_INTERRUPTED;
          }
          interrupted = true;
          terminal.writer().println("(line cancelled; Ctrl-C again, Ctrl-D or exit to leave)");
          continue;
        } catch (EndOfFileException e) {
          return 0;
        }
        interrupted = false;
        if (!menu.execute(line)) {
          return 0;
        }
      }
    }
  }

  static ArgumentCompleter completer() {
    List<String> args = new ArrayList<>(List.of("all"));
    for (int id : Servers.IDS) {
      args.add(Servers.name(id));
    }
    ArgumentCompleter c = new ArgumentCompleter(
        new StringsCompleter(Menu.words()), new StringsCompleter(args), NullCompleter.INSTANCE);
    c.setStrict(false);
    return c;
  }

  /** JLine options of the menu's reader: completion ignores case ("printb" + Tab). */
  static void configure(LineReader reader) {
    reader.setOpt(LineReader.Option.CASE_INSENSITIVE);
  }
}
