package dev.modpaxos.bank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The web view in a real browser: starts {@code bank run --web} as its own process (gRPC,
 * Chronicle stores) on the official file, opens the page in headless Chromium (Debian's {@code
 * chromium} through its {@code chromium-driver}), runs set 2 with the page's NextIteration button
 * and sets 3 and 4 through the menu on the process's stdin, and checks what the page shows after
 * set 1 (S1 at 30) and after set 4 (no slot chosen). Skipped where no browser is installed
 * ({@code .ci/run} installs it). Every wait is a bounded poll of the page.
 */
class WebViewBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final long WAIT_MILLIS = 60_000;

  @TempDir Path dir;
  private Process bank;
  private WebDriver browser;

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (bank != null && bank.isAlive()) {
      bank.destroy();
      if (!bank.waitFor(10, TimeUnit.SECONDS)) {
        bank.destroyForcibly();
      }
    }
  }

  /** The official file: the shared copy beside the repository if there is one, else the bundled. */
  private Path officialFile() throws Exception {
    for (Path p : List.of(Path.of("../../shared/data/lab1_Test.csv"),
        Path.of("/work/shared/data/lab1_Test.csv"))) {
      if (Files.isReadable(p)) {
        return p.toAbsolutePath();
      }
    }
    try (InputStream in = getClass().getResourceAsStream("/lab1_Test.csv")) {
      return Files.write(dir.resolve("lab1_Test.csv"), in.readAllBytes());
    }
  }

  private Process startBank(Path csv) throws Exception {
    List<String> cmd = BankJvm.command("384m", dir, "run", csv.toString(), "--web", "--batch",
        "--data-dir", dir.resolve("data").toString());
    return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("bank.out").toFile()).start();
  }

  /** Polls {@code condition} until it holds; fails after {@link #WAIT_MILLIS}. */
  private void await(String what, BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
    while (!condition.getAsBoolean()) {
      assertThat(bank.isAlive()).as("the bank exited; see %s", dir.resolve("bank.out")).isTrue();
      assertThat(System.nanoTime()).as("waiting for %s; see %s", what, dir.resolve("bank.out"))
          .isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  private String webAddress() throws Exception {
    Pattern p = Pattern.compile("Web view: (http://127\\.0\\.0\\.1:\\d+/)");
    String[] found = new String[1];
    await("the printed address", () -> {
      try {
        Matcher m = p.matcher(Files.readString(dir.resolve("bank.out")));
        if (m.find()) {
          found[0] = m.group(1);
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return found[0] != null;
    });
    return found[0];
  }

  private WebDriver openBrowser() throws Exception {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--window-size=1400,1100",
        "--user-data-dir=" + Files.createDirectory(dir.resolve("chromium-profile")));
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .withLogFile(dir.resolve("chromedriver.log").toFile())
        .build();
    return new ChromeDriver(service, options);
  }

  private String text(String css) {
    List<WebElement> found = browser.findElements(By.cssSelector(css));
    return found.isEmpty() ? "" : found.get(0).getText();
  }

  /** The page shows set {@code n} finished (pushed by the bank; the page is never reloaded). */
  private boolean setDone(int n) {
    WebElement body = browser.findElement(By.tagName("body"));
    return String.valueOf(n).equals(body.getAttribute("data-set"))
        && "false".equals(body.getAttribute("data-running"))
        && text("#set-summary").startsWith("Set " + n + " done");
  }

  @Test
  void thePageShowsSetOneAndSetFourAsTheyRun() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "no browser here: install Debian's chromium and chromium-driver (.ci/run does) to run"
            + " the web view's browser test");
    bank = startBank(officialFile());
    String url = webAddress();
    browser = openBrowser();
    browser.get(url);

    // Set 1 runs as the bank starts: S1 was short for (S1, S3, 75), ran a round, then executed it.
    await("set 1 on the page, and S1's balance", () -> setDone(1)
        && text("#server-S1 .balance").equals("30"));
    assertThat(text("#set-summary")).contains("1 slot chosen");
    assertThat(text("#server-S1 .log")).isEqualTo("(S1, S3, 75)");
    for (int id : Servers.IDS) {
      assertThat(text("#server-S" + id + " .state")).isEqualTo("up");
    }
    assertThat(text("#leader")).isEqualTo("S1");
    // A loaded machine may lose S1's first round and win the next: any ballot of S1's will do.
    assertThat(text("#server-S2 .promised")).matches("\\(\\d+, S1\\)");
    await("the round's COMMIT to all four", () -> text("#rounds").contains("COMMIT"));
    String round = text("#rounds .round");
    assertThat(round).containsPattern("^S1 · ballot \\(\\d+, S1\\) · slot 1 · 4 entries");
    assertThat(round).contains("PREPARE", "PROMISE", "ACCEPT", "ACCEPTED");
    // Everything the page loads comes from the bank itself.
    for (WebElement e : browser.findElements(By.cssSelector("script[src], link[href]"))) {
      String ref = e.getAttribute(e.getTagName().equals("script") ? "src" : "href");
      assertThat(ref).startsWith(url);
    }
    saveScreenshot();

    // Set 2 through the page's control, sets 3 and 4 through the menu.
    browser.findElement(By.id("next")).click();
    await("set 2 on the page", () -> setDone(2));
    Writer menu = new OutputStreamWriter(bank.getOutputStream(), StandardCharsets.UTF_8);
    menu.write("NextIteration\n");
    menu.flush();
    await("set 3 on the page", () -> setDone(3));
    menu.write("NextIteration\n");
    menu.flush();

    // Set 4: only S4 and S5 live, no majority: S4's round chooses nothing, (S4, S5, 85) waits.
    await("set 4 on the page", () -> setDone(4));
    assertThat(text("#set-summary")).contains("no slot chosen");
    assertThat(text("#server-S4 .pending")).isEqualTo("(S4, S5, 85)");
    for (int id : List.of(1, 2, 3)) {
      assertThat(text("#server-S" + id + " .state")).isEqualTo("disconnected");
    }
    assertThat(text("#server-S4 .state")).isEqualTo("up");

    menu.write("exit\n");
    menu.close();
    assertThat(bank.waitFor(60, TimeUnit.SECONDS)).as("the bank leaves on exit").isTrue();
    assertThat(bank.exitValue()).isZero();
    assertThat(Files.readString(dir.resolve("bank.out")))
        .contains("(from the web view)", "Set 4 done (live [S4, S5])");
  }

  /**
   * The screenshot after set 1 goes to target/web-view.png on every run, and to docs/web-view.png
   * (shown in the README) when that is missing or {@code -Dweb.screenshot.update=true}.
   */
  private void saveScreenshot() throws Exception {
    byte[] png = ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES);
    Files.write(Path.of("target", "web-view.png"), png);
    Path docs = Path.of("..", "docs", "web-view.png");
    if (Files.isDirectory(docs.getParent())
        && (!Files.exists(docs) || Boolean.getBoolean("web.screenshot.update"))) {
      Files.write(docs, png);
    }
    assertThat(new File("target/web-view.png")).isNotEmpty();
  }
}
