package dev.modpaxos.storage.chronicle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.EntryId;
import dev.modpaxos.spi.StoreException;
import dev.modpaxos.spi.StoredState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A full disk (issue 16): the store's directory is on a small tmpfs the test mounts (it needs
 * root; without it the test is skipped). A child JVM ({@link DiskFullWriter}) writes and
 * acknowledges iterations; after a few, the test fills the rest of the tmpfs with a filler file.
 * The writer must then stop with a one-line {@code StoreException} saying the disk is full and
 * naming the file, not crash, hang or throw an {@code InternalError} (SIGBUS in a mapped file).
 * Then the test deletes the filler, reopens the store in this JVM and checks that every
 * acknowledged write is there and intact, that no loss is reported, and that the store takes new
 * writes. A deliberately broken store that swallows the full-disk error and reports its syncs as
 * successful must fail that check.
 */
class ChronicleStoreDiskFullTest {
  private static final Pattern ACK = Pattern.compile("ACK (\\d+) (\\d+) END");
  private static final String TMPFS_SIZE = "16m";
  private static final int ACKS_BEFORE_FILL = 5;
  private static final long CHILD_SECONDS = 60;

  @TempDir Path base;
  private Path mount;
  private Process child;

  /** What the writer printed and how it ended. */
  private record Run(List<Long> acked, Map<Long, Long> roundOf, List<String> lines, int exit,
      String stderr) {
    long lastSlot() {
      return acked.isEmpty() ? 0 : acked.get(acked.size() - 1);
    }

    String last() {
      return lines.isEmpty() ? "(nothing)" : lines.get(lines.size() - 1);
    }
  }

  @BeforeEach
  void mountTmpfs() throws Exception {
    mount = base.resolve("disk");
    Files.createDirectories(mount);
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + TMPFS_SIZE, "tmpfs",
        mount.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    boolean mounted = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    if (!mounted) {
      mount = null;
    }
    Assumptions.assumeTrue(mounted, "skipped: mounting a " + TMPFS_SIZE + " tmpfs needs root (mount"
        + " said: " + out + ")");
  }

  @AfterEach
  void unmount() throws Exception {
    if (child != null) {
      child.destroyForcibly().waitFor();
    }
    if (mount != null) {
      Process p = new ProcessBuilder("umount", mount.toString()).inheritIO().start();
      assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0)
          .as("umount %s", mount).isTrue();
    }
  }

  @ParameterizedTest
  @EnumSource(Durability.class)
  void aFullDiskStopsTheWriterWithAOneLineErrorAndLosesNoAcknowledgedWrite(Durability mode)
      throws Exception {
    Run run = fillDiskUnder(mode, false);
    System.out.printf("disk full (%s): %d acknowledged iterations, then: %s (exit %d)%n", mode,
        run.acked().size(), run.last(), run.exit());
    AssertionError lost = null;
    try {
      checkAfterFreeingSpace(mode, run); // first: the worse failure, if both
    } catch (AssertionError e) {
      lost = e;
    }
    assertThat(lost).as("an acknowledged write was lost").isNull();
    assertThat(run.last())
        .as("the writer's last line (stderr in %s)", run.stderr())
        .startsWith("STORE-ERROR ");
    assertThat(run.last().toLowerCase(Locale.ROOT)).contains("disk is full")
        .contains(mount.toString().toLowerCase(Locale.ROOT));
    assertThat(run.exit()).isEqualTo(DiskFullWriter.EXIT_STORE);
  }

  @ParameterizedTest
  @EnumSource(Durability.class)
  void theCheckCatchesAStoreThatSilentlyDropsWritesOnAFullDisk(Durability mode) throws Exception {
    Run run = fillDiskUnder(mode, true);
    assertThat(run.lines()).as("the broken store swallowed a failure")
        .anyMatch(l -> l.startsWith("SWALLOWED "));
    assertThat(run.exit()).isZero();
    assertThatThrownBy(() -> checkAfterFreeingSpace(mode, run))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("acknowledged");
  }

  @org.junit.jupiter.api.Test
  void afterAFullDiskNothingMoreIsAcknowledgedAndCloseLeavesTheDirectoryToRecovery()
      throws Exception {
    Path storeDir = mount.resolve("store");
    ChronicleStoreConfig config = DiskFullWriter.config(Durability.POWER);
    ChronicleStore store = ChronicleStore.open(storeDir, config);
    store.load();
    fill(mount.resolve("filler"));
    long acked = 0;
    StoreException full = null;
    for (long slot = 1; slot <= 4 * config.chosenBlocksPerFile() && full == null; slot++) {
      try {
        CrashWriter.iterate(store, slot, slot);
        acked = slot;
      } catch (StoreException e) {
        full = e;
      }
    }
    assertThat(full).as("no write failed on the full disk").isNotNull();
    assertThat(full.getMessage()).contains("the disk is full").contains(storeDir.toString())
        .doesNotContain("\n");
    assertThatThrownBy(store::sync).isInstanceOf(StoreException.class)
        .hasMessageContaining("takes no more writes").hasMessageContaining("the disk is full");
    Entry next = CrashWriter.localFor(acked + 1);
    assertThatThrownBy(() -> store.appendLocal(next))
        .isInstanceOf(StoreException.class).hasMessageContaining("takes no more writes");
    store.close(); // does not throw, and leaves no clean marker
    assertThat(storeDir.resolve(ChronicleStore.CLEAN_MARKER)).doesNotExist();
    Files.delete(mount.resolve("filler"));
    try (ChronicleStore reopened = ChronicleStore.open(storeDir, config)) {
      StoredState state = reopened.load();
      assertThat(reopened.openReport().recovered()).isTrue();
      assertThat(state.losses()).isEmpty();
      assertThat(state.chosenSlot()).isGreaterThanOrEqualTo(acked);
      CrashWriter.iterate(reopened, acked + 1, state.chosenSlot() + 1);
    }
  }

  /**
   * Starts the writer on the tmpfs, lets it acknowledge a few iterations, fills the tmpfs and
   * waits (bounded) for the writer to end.
   */
  private Run fillDiskUnder(Durability mode, boolean broken) throws Exception {
    Path storeDir = mount.resolve("store");
    Path stderr = base.resolve("writer.err");
    LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
    List<String> args = new ArrayList<>(List.of(storeDir.toString(), mode.name()));
    if (broken) {
      args.add("broken");
    }
    child = ChildJvm.start(DiskFullWriter.class, args, stderr, queue, "EOF");
    List<String> lines = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CHILD_SECONDS);
    int acks = 0;
    boolean filled = false;
    while (true) {
      String line = queue.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null) {
        child.destroyForcibly().waitFor();
        throw new AssertionError("the writer neither failed nor exited within " + CHILD_SECONDS
            + " s (filled: " + filled + "); its last line: "
            + (lines.isEmpty() ? "(nothing)" : lines.get(lines.size() - 1)) + "; stderr in "
            + stderr);
      }
      if (line.equals("EOF")) {
        break;
      }
      lines.add(line);
      if (line.startsWith("ACK") && ++acks == ACKS_BEFORE_FILL) {
        fill(mount.resolve("filler"));
        filled = true;
      }
    }
    assertThat(child.waitFor(CHILD_SECONDS, TimeUnit.SECONDS)).isTrue();
    int exit = child.exitValue();
    child = null;
    assertThat(filled).as("the writer failed before the disk was filled: %s",
        lines.isEmpty() ? "(nothing)" : lines.get(lines.size() - 1)).isTrue();
    List<Long> acked = new ArrayList<>();
    Map<Long, Long> roundOf = new java.util.HashMap<>();
    for (String line : lines) {
      Matcher m = ACK.matcher(line);
      if (m.matches()) {
        acked.add(Long.parseLong(m.group(2)));
        roundOf.put(Long.parseLong(m.group(2)), Long.parseLong(m.group(1)));
      }
    }
    return new Run(acked, roundOf, lines, exit, stderr.toString());
  }

  /** Writes {@code file} until the file system has no space left. */
  private static void fill(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      for (int chunk : new int[] {64 << 10, 4 << 10, 512}) {
        ByteBuffer buf = ByteBuffer.allocate(chunk);
        try {
          while (true) {
            buf.clear();
            while (buf.hasRemaining()) {
              ch.write(buf);
            }
          }
        } catch (IOException full) {
          // No room for another chunk of this size; try a smaller one.
        }
      }
    }
  }

  /**
   * Deletes the filler, reopens the store here and checks every acknowledged write, then writes
   * and syncs one more iteration.
   */
  private void checkAfterFreeingSpace(Durability mode, Run run) throws IOException {
    Files.delete(mount.resolve("filler"));
    try (ChronicleStore store =
        ChronicleStore.open(mount.resolve("store"), DiskFullWriter.config(mode))) {
      StoredState state = store.load();
      assertThat(state.losses()).as("losses reported after the full disk").isEmpty();
      long chosen = state.chosenSlot();
      assertThat(chosen).as("chosen slots: the last acknowledged is %d", run.lastSlot())
          .isGreaterThanOrEqualTo(run.lastSlot());
      for (int i = 0; i < state.chosen().size(); i++) {
        long slot = state.compactedSlot() + 1 + i;
        assertThat(state.chosen().get(i)).as("acknowledged block of slot %d", slot)
            .isEqualTo(CrashWriter.blockFor(slot));
      }
      assertThat(state.promised().round()).as("acknowledged promise")
          .isGreaterThanOrEqualTo(run.roundOf().getOrDefault(run.lastSlot(), 0L));
      Map<EntryId, Entry> local =
          state.localLog().stream().collect(Collectors.toMap(Entry::id, Function.identity()));
      for (long a : run.acked()) {
        EntryId id = new EntryId(CrashWriter.LOCAL_ORIGIN, a);
        if (chosen < a + 3) {
          assertThat(local.get(id)).as("acknowledged local entry %s", id)
              .isEqualTo(CrashWriter.localFor(a));
        }
      }
      CrashWriter.iterate(store, state.promised().round() + 1, chosen + 1);
    }
  }
}
