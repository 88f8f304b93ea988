package dev.modpaxos.transport.grpc;

import static dev.modpaxos.transport.grpc.Polling.STAMP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modpaxos.protocol.Entry;
import dev.modpaxos.protocol.Message;
import dev.modpaxos.transport.grpc.internal.wire.Wire;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchesTest {
  @Test
  void aJoinedBatchIsAProtobufBatchAndSplitsBackInOrder() throws Exception {
    MessageCodec codec = new MessageCodec(List.of(1, 2));
    List<byte[]> envelopes = List.of(
        codec.encode(STAMP, Polling.accepted(1, 2, 1)).toByteArray(),
        codec.encode(STAMP, new Message.Forward(2, 1, List.of(new Entry(2, 1, new byte[300]))))
            .toByteArray(),
        new byte[0]);
    int bytes = envelopes.stream().mapToInt(e -> Batches.framedBytes(e.length)).sum();
    byte[] batch = Batches.join(envelopes, bytes);
    assertThat(Wire.Batch.parseFrom(batch).getEnvelopesCount()).isEqualTo(3);
    List<byte[]> out = new ArrayList<>();
    Batches.split(batch, out::add);
    assertThat(out).containsExactlyElementsOf(envelopes);
  }

  @Test
  void unknownFieldsAreSkipped() {
    byte[] batch = {0x10, 0x05, 0x0a, 0x01, 0x07}; // field 2 = 5, then one envelope {7}
    List<byte[]> out = new ArrayList<>();
    Batches.split(batch, out::add);
    assertThat(out).containsExactly(new byte[] {7});
  }

  @Test
  void aBatchCutShortIsMalformedAfterHandingOverWhatCameBefore() {
    byte[] batch = {0x0a, 0x01, 0x07, 0x0a, 0x05, 0x01};
    List<byte[]> out = new ArrayList<>();
    assertThatThrownBy(() -> Batches.split(batch, out::add))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessageStartingWith("batch does not parse");
    assertThat(out).containsExactly(new byte[] {7});
  }

  @Test
  void aSizeMiscountIsABug() {
    assertThatThrownBy(() -> Batches.join(List.of(new byte[3]), 4))
        .isInstanceOf(IllegalStateException.class);
  }
}
