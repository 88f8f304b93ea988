package dev.modpaxos.transport.grpc;

import static dev.modpaxos.transport.grpc.Polling.STAMP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.protocol.Message;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * Fuzzes what the server's Stream handler does with one batch from the wire: {@link
 * Batches#split}, then {@link MessageCodec#decode(byte[])} on each envelope. Nothing but {@link
 * MalformedMessageException} escapes, with a one-line reason; a batch made of valid envelopes
 * splits back into exactly them. (What a decoded message does to a replica is {@code
 * FrameFuzzTest}'s part.)
 */
class BatchFuzzTest {
  private static final MessageCodec CODEC = new MessageCodec(List.of(1, 2, 3));

  @Property(tries = 5_000)
  void randomBatches(@ForAll @Size(max = 300) byte[] batch) {
    receive(batch);
  }

  @Property(tries = 5_000)
  void mutatedBatches(
      @ForAll("slots") List<Long> slots, @ForAll("mutations") List<int[]> mutations) {
    receive(ByteMutator.apply(batchOf(slots), mutations));
  }

  @Property(tries = 1_000)
  void validBatchesSplitBackIntoTheirMessagesInOrder(@ForAll("slots") List<Long> slots) {
    List<Message> out = new ArrayList<>();
    Batches.split(batchOf(slots), e -> out.add(CODEC.decode(e)));
    assertThat(out).containsExactlyElementsOf(slots.stream().map(BatchFuzzTest::message).toList());
  }

  /** Splits and decodes as the server does; counts what survives. */
  private static void receive(byte[] batch) {
    int[] decoded = {0};
    try {
      Batches.split(batch, e -> {
        try {
          CODEC.decode(e);
          decoded[0]++;
        } catch (MalformedMessageException dropped) {
          assertThat(dropped.getMessage()).isNotBlank().doesNotContain("\n");
        }
      });
      Statistics.collect(decoded[0] == 0 ? "batch parsed, nothing decoded" : "some decoded");
    } catch (MalformedMessageException rejected) {
      assertThat(rejected.getMessage()).isNotBlank().doesNotContain("\n");
      Statistics.collect("batch rejected");
    }
  }

  private static byte[] batchOf(List<Long> slots) {
    List<byte[]> envelopes = new ArrayList<>();
    int bytes = 0;
    for (long slot : slots) {
      byte[] e = CODEC.encode(STAMP, message(slot)).toByteArray();
      envelopes.add(e);
      bytes += Batches.framedBytes(e.length);
    }
    return Batches.join(envelopes, bytes);
  }

  private static Message message(long slot) {
    return Polling.accepted(2, 1, slot);
  }

  @Provide
  Arbitrary<List<Long>> slots() {
    return Arbitraries.longs().between(1, 1L << 40).list().ofMinSize(1).ofMaxSize(6);
  }

  @Provide
  Arbitrary<List<int[]>> mutations() {
    return ByteMutator.mutations();
  }
}
