package dev.modpaxos.storage.chronicle;

import java.util.Objects;

/**
 * Immutable configuration of a {@link ChronicleStore}. Build it with {@link #builder()}.
 *
 * <p>The sizing values fix the layout of a store directory: they are recorded in the directory's
 * {@code LAYOUT} file when it is created, and later opens use the recorded values (a different
 * value here is then ignored, with a log line). Files are sparse, so generous sizes cost address
 * space, not disk.
 *
 * @param durability what {@code sync()} waits for; default {@link Durability#POWER}
 * @param chosenBlocksPerFile chosen blocks per map file before a new file is started; default 4096
 * @param averageBlockBytes expected encoded size of one block; sizes the chosen-block files and the
 *     acceptor file. Default 4096. One block (or accepted value) may be up to about {@code 2 *
 *     chosenBlocksPerFile * averageBlockBytes} bytes (32 MiB with the defaults)
 * @param localLogEntries capacity of the local log in entries; default 65536. Chronicle Map takes
 *     up to about twice this before it reports the log full
 * @param averageEntryBytes expected encoded size of one local-log entry; default 256
 */
public record ChronicleStoreConfig(
    Durability durability,
    long chosenBlocksPerFile,
    int averageBlockBytes,
    long localLogEntries,
    int averageEntryBytes) {

  public ChronicleStoreConfig {
    Objects.requireNonNull(durability, "durability");
    requirePositive("chosenBlocksPerFile", chosenBlocksPerFile);
    requirePositive("averageBlockBytes", averageBlockBytes);
    requirePositive("localLogEntries", localLogEntries);
    requirePositive("averageEntryBytes", averageEntryBytes);
  }

  private static void requirePositive(String name, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1, got " + value);
    }
  }

  /** The defaults described on the record components. */
  public static ChronicleStoreConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder preset with this configuration's values. */
  public Builder toBuilder() {
    return new Builder()
        .durability(durability)
        .chosenBlocksPerFile(chosenBlocksPerFile)
        .averageBlockBytes(averageBlockBytes)
        .localLogEntries(localLogEntries)
        .averageEntryBytes(averageEntryBytes);
  }

  /** Builds a {@link ChronicleStoreConfig}; every setter has a default. Not thread-safe. */
  public static final class Builder {
    private Durability durability = Durability.POWER;
    private long chosenBlocksPerFile = 4096;
    private int averageBlockBytes = 4096;
    private long localLogEntries = 65_536;
    private int averageEntryBytes = 256;

    private Builder() {}

    public Builder durability(Durability v) {
      durability = v;
      return this;
    }

    public Builder chosenBlocksPerFile(long v) {
      chosenBlocksPerFile = v;
      return this;
    }

    public Builder averageBlockBytes(int v) {
      averageBlockBytes = v;
      return this;
    }

    public Builder localLogEntries(long v) {
      localLogEntries = v;
      return this;
    }

    public Builder averageEntryBytes(int v) {
      averageEntryBytes = v;
      return this;
    }

    /** Validates and builds; throws IllegalArgumentException naming the bad value. */
    public ChronicleStoreConfig build() {
      return new ChronicleStoreConfig(
          durability, chosenBlocksPerFile, averageBlockBytes, localLogEntries, averageEntryBytes);
    }
  }
}
