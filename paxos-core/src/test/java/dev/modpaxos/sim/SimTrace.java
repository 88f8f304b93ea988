package dev.modpaxos.sim;

import java.util.function.Consumer;

/**
 * The trace of one run: every delivered message, crash, restart, partition and commit, each line
 * prefixed with its tick. When off, nothing is formatted. When on, lines go to an optional sink
 * and into a running 64-bit FNV-1a hash, which the determinism test compares between two runs.
 */
final class SimTrace {
  static final SimTrace OFF = new SimTrace(false, null);

  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private final boolean on;
  private final Consumer<String> sink;
  private long hash = FNV_OFFSET;
  private long lines;

  private SimTrace(boolean on, Consumer<String> sink) {
    this.on = on;
    this.sink = sink;
  }

  /** A trace that hashes every line and hands it to {@code sink} (may be null). */
  static SimTrace to(Consumer<String> sink) {
    return new SimTrace(true, sink);
  }

  /** Callers test this before they build a line, so an off trace costs nothing. */
  boolean on() {
    return on;
  }

  void line(long tick, String text) {
    if (!on) {
      return;
    }
    String line = "t=" + tick + " " + text;
    for (int i = 0; i < line.length(); i++) {
      hash = (hash ^ line.charAt(i)) * FNV_PRIME;
    }
    hash = (hash ^ '\n') * FNV_PRIME;
    lines++;
    if (sink != null) {
      sink.accept(line);
    }
  }

  long hash() {
    return hash;
  }

  long lines() {
    return lines;
  }
}
