package dev.modpaxos.runtime;

import dev.modpaxos.protocol.EntryId;
import java.util.concurrent.CompletableFuture;

/**
 * The two stages of one {@code submit}.
 *
 * <p>Both futures are completed on the node's event loop: a callback attached with a non-async
 * method ({@code thenAccept}, ...) runs there and must not block; use the {@code *Async} variants
 * for anything slow.
 *
 * @param durable completes with the entry's id once it is durable in the local log (R4)
 * @param chosen completes with the slot of the block that chose it, once that block is durable
 *     and applied (R9)
 * @param result completes with the entry's result, right after {@code chosen}: what a {@link
 *     dev.modpaxos.spi.ResultApplication} returned for it, or null for a plain {@link
 *     dev.modpaxos.spi.Application}; it fails whenever {@code chosen} fails
 */
public record SubmitHandle(
    CompletableFuture<EntryId> durable,
    CompletableFuture<Long> chosen,
    CompletableFuture<Object> result) {}
