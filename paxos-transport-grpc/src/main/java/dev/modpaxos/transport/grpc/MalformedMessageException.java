package dev.modpaxos.transport.grpc;

/**
 * A received frame that is not a valid protocol message for this cluster: it does not parse, a
 * required field is missing, a number is out of range, or a node id is not a member. The message
 * is one line naming the first problem found.
 */
final class MalformedMessageException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String messageType;

  MalformedMessageException(String message) {
    this("INVALID", message, null);
  }

  MalformedMessageException(String message, Throwable cause) {
    this("INVALID", message, cause);
  }

  MalformedMessageException(String messageType, String message, Throwable cause) {
    super(message, cause);
    this.messageType = messageType;
  }

  /** The type the frame claimed to carry ({@code Message.type()}), or {@code "INVALID"}. */
  String messageType() {
    return messageType;
  }
}
