package dev.modpaxos.protocol;

import java.util.List;

/** Stable names of message types, used as metric keys and in logs. */
public final class MessageTypes {
  /** Every type name, in protocol order. */
  public static final List<String> ALL =
      List.of(
          "PREPARE", "PROMISE", "ACCEPT", "ACCEPTED", "REJECT", "COMMIT", "CATCHUP_REQUEST",
          "CATCHUP", "FORWARD", "READ_INDEX_REQUEST", "READ_INDEX",
          "SNAPSHOT_OFFER", "SNAPSHOT_REQUEST", "SNAPSHOT_CHUNK", "CAMPAIGN");

  private MessageTypes() {}

  static String nameOf(Message m) {
    if (m instanceof Message.Prepare) return "PREPARE";
    if (m instanceof Message.Promise) return "PROMISE";
    if (m instanceof Message.Accept) return "ACCEPT";
    if (m instanceof Message.Accepted) return "ACCEPTED";
    if (m instanceof Message.Reject) return "REJECT";
    if (m instanceof Message.Commit) return "COMMIT";
    if (m instanceof Message.CatchUpRequest) return "CATCHUP_REQUEST";
    if (m instanceof Message.CatchUp) return "CATCHUP";
    if (m instanceof Message.ReadIndexRequest) return "READ_INDEX_REQUEST";
    if (m instanceof Message.ReadIndex) return "READ_INDEX";
    if (m instanceof Message.SnapshotOffer) return "SNAPSHOT_OFFER";
    if (m instanceof Message.SnapshotRequest) return "SNAPSHOT_REQUEST";
    if (m instanceof Message.SnapshotChunk) return "SNAPSHOT_CHUNK";
    if (m instanceof Message.Campaign) return "CAMPAIGN";
    return "FORWARD";
  }
}
