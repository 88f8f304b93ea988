package dev.modpaxos.storage.chronicle;

/** A stored record failed its checksum or does not decode. */
final class CorruptRecordException extends Exception {
  CorruptRecordException(String message) {
    super(message);
  }
}
