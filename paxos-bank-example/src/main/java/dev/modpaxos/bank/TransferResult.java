package dev.modpaxos.bank;

/**
 * What a server did with one transfer.
 *
 * @param id the transfer
 * @param status its state after the call
 * @param reason why it is pending, rejected or undelivered; empty when executed
 * @param roundsRun rounds the server ran while handling it
 * @param executedIds other transfers of the same client that left the pending queue on the way
 */
public record TransferResult(
    long id, Status status, String reason, int roundsRun, java.util.List<Long> executedIds) {

  /** The outcome of a transfer. */
  public enum Status {
    /** Debited and durable in the sender's server's local log (or already chosen). */
    EXECUTED,
    /** Not fundable yet: queued on the sender's server, retried later, never run unfunded. */
    PENDING,
    /** Invalid; nothing happened. */
    REJECTED,
    /** The sender's server is down; the driver re-sends it after RecoverServer. */
    UNDELIVERED
  }
}
