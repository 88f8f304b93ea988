package dev.modpaxos.protocol;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.TreeSet;

/**
 * What every message carries besides itself (docs/PROTOCOL.md R2): the fingerprint of the cluster
 * its sender belongs to, and the sender's membership epoch. A receiver drops, never acts on, and
 * counts a message whose cluster differs from its own; a message from a higher epoch tells it that
 * it is behind, so it also asks the sender for the blocks it lacks. Immutable.
 *
 * @param cluster the sender's cluster fingerprint ({@link #clusterFingerprint}); never 0
 * @param epoch the sender's membership epoch: 0 at founding, one more per applied membership
 *     change; {@code >= 0}
 */
public record Stamp(long cluster, long epoch) {

  /**
   * Checks the values.
   *
   * @param cluster the sender's cluster fingerprint; never 0
   * @param epoch the sender's membership epoch, {@code >= 0}
   */
  public Stamp {
    if (cluster == 0) {
      throw new IllegalArgumentException("a stamp's cluster fingerprint is never 0");
    }
    if (epoch < 0) {
      throw new IllegalArgumentException("a stamp's epoch must be >= 0, got " + epoch);
    }
  }

  /**
   * The one derivation of a cluster's fingerprint: the first 8 bytes (big-endian) of the SHA-256 of
   * a canonical encoding of {@code clusterId} and the founding members, sorted. Nodes started with
   * another cluster id or another founding member list therefore have another fingerprint, and
   * refuse each other's messages. Never 0 (a 0 hash maps to 1), so 0 on the wire means "missing".
   *
   * @param clusterId the cluster's name ({@link ReplicaConfig#clusterId()}), not blank
   * @param foundingMembers the founding member ids ({@link ReplicaConfig#members()}), any order,
   *     distinct
   * @return the fingerprint, never 0
   */
  public static long clusterFingerprint(String clusterId, List<Integer> foundingMembers) {
    if (clusterId == null || clusterId.isBlank()) {
      throw new IllegalArgumentException("clusterId must not be blank");
    }
    TreeSet<Integer> sorted = new TreeSet<>(foundingMembers);
    if (sorted.size() != foundingMembers.size()) {
      throw new IllegalArgumentException("founding members must be distinct, got " + foundingMembers);
    }
    StringBuilder canonical = new StringBuilder("modpaxos-cluster-v1\n").append(clusterId.length())
        .append(':').append(clusterId).append('\n');
    for (int id : sorted) {
      canonical.append(id).append(',');
    }
    byte[] hash = sha256(canonical.toString().getBytes(StandardCharsets.UTF_8));
    long fingerprint = 0;
    for (int i = 0; i < Long.BYTES; i++) {
      fingerprint = (fingerprint << 8) | (hash[i] & 0xFF);
    }
    return fingerprint == 0 ? 1 : fingerprint;
  }

  /**
   * {@return the fingerprint of {@code config}'s cluster: its cluster id and founding members}
   *
   * @param config the node's configuration
   */
  public static long clusterFingerprint(ReplicaConfig config) {
    return clusterFingerprint(config.clusterId(), config.members());
  }

  /** {@return the fingerprint in hex, as logs show it} */
  public String clusterHex() {
    return hex(cluster);
  }

  /**
   * {@return {@code fingerprint} as 16 hex digits, as logs show it}
   *
   * @param fingerprint a cluster fingerprint
   */
  public static String hex(long fingerprint) {
    return String.format("%016x", fingerprint);
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e); // every Java SE JVM has it
    }
  }
}
