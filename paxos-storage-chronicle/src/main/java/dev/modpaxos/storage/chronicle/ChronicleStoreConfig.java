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
 * @param averageBlockBytes expected encoded size of one block; sizes the chosen-block files.
 *     Default 4096. One chosen block may be up to about {@code 2 * chosenBlocksPerFile *
 *     averageBlockBytes} bytes (32 MiB with the defaults)
 * @param voteBytesMax the largest encoded vote (one slot's accepted block, {@code
 *     Store#saveAccepted}); sizes the acceptor file, which holds two copies of each of the {@code
 *     ReplicaConfig.VOTES_KEPT} votes it keeps. Default 8 MiB; a larger vote is a {@code
 *     StoreException} that changes nothing. Keep it at least {@code ReplicaConfig.blockBytesMax
 *     + 16 * blockEntriesMax + 64} (and above the largest single entry plus 64)
 * @param localLogEntries capacity of the local log in entries; default 65536. Chronicle Map takes
 *     up to about twice this before it reports the log full
 * @param averageEntryBytes expected encoded size of one local-log entry; default 256
 */
public record ChronicleStoreConfig(
    Durability durability,
    long chosenBlocksPerFile,
    int averageBlockBytes,
    int voteBytesMax,
    long localLogEntries,
    int averageEntryBytes) {

  /**
   * Validates the components: a durability, and every size {@code >= 1}.
   *
   * @param durability see {@link #durability()}
   * @param chosenBlocksPerFile see {@link #chosenBlocksPerFile()}
   * @param averageBlockBytes see {@link #averageBlockBytes()}
   * @param voteBytesMax see {@link #voteBytesMax()}
   * @param localLogEntries see {@link #localLogEntries()}
   * @param averageEntryBytes see {@link #averageEntryBytes()}
   */
  public ChronicleStoreConfig {
    Objects.requireNonNull(durability, "durability");
    requirePositive("chosenBlocksPerFile", chosenBlocksPerFile);
    requirePositive("averageBlockBytes", averageBlockBytes);
    requirePositive("voteBytesMax", voteBytesMax);
    requirePositive("localLogEntries", localLogEntries);
    requirePositive("averageEntryBytes", averageEntryBytes);
  }

  private static void requirePositive(String name, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1, got " + value);
    }
  }

  /** {@return the defaults described on the record components} */
  public static ChronicleStoreConfig defaults() {
    return builder().build();
  }

  /** {@return a builder with every default} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return a builder preset with this configuration's values} */
  public Builder toBuilder() {
    return new Builder()
        .durability(durability)
        .chosenBlocksPerFile(chosenBlocksPerFile)
        .averageBlockBytes(averageBlockBytes)
        .voteBytesMax(voteBytesMax)
        .localLogEntries(localLogEntries)
        .averageEntryBytes(averageEntryBytes);
  }

  /** Builds a {@link ChronicleStoreConfig}; every setter has a default. Not thread-safe. */
  public static final class Builder {
    private Durability durability = Durability.POWER;
    private long chosenBlocksPerFile = 4096;
    private int averageBlockBytes = 4096;
    private int voteBytesMax = 8 << 20;
    private long localLogEntries = 65_536;
    private int averageEntryBytes = 256;

    private Builder() {}

    /**
     * @param v see {@link ChronicleStoreConfig#durability()}
     * @return this builder
     */
    public Builder durability(Durability v) {
      durability = v;
      return this;
    }

    /**
     * @param v see {@link ChronicleStoreConfig#chosenBlocksPerFile()}
     * @return this builder
     */
    public Builder chosenBlocksPerFile(long v) {
      chosenBlocksPerFile = v;
      return this;
    }

    /**
     * @param v see {@link ChronicleStoreConfig#averageBlockBytes()}
     * @return this builder
     */
    public Builder averageBlockBytes(int v) {
      averageBlockBytes = v;
      return this;
    }

    /**
     * @param v see {@link ChronicleStoreConfig#voteBytesMax()}
     * @return this builder
     */
    public Builder voteBytesMax(int v) {
      voteBytesMax = v;
      return this;
    }

    /**
     * @param v see {@link ChronicleStoreConfig#localLogEntries()}
     * @return this builder
     */
    public Builder localLogEntries(long v) {
      localLogEntries = v;
      return this;
    }

    /**
     * @param v see {@link ChronicleStoreConfig#averageEntryBytes()}
     * @return this builder
     */
    public Builder averageEntryBytes(int v) {
      averageEntryBytes = v;
      return this;
    }

    /**
     * Validates and builds; throws IllegalArgumentException naming the bad value.
     *
     * @return the configuration
     */
    public ChronicleStoreConfig build() {
      return new ChronicleStoreConfig(
          durability,
          chosenBlocksPerFile,
          averageBlockBytes,
          voteBytesMax,
          localLogEntries,
          averageEntryBytes);
    }
  }
}
