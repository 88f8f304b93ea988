package dev.modpaxos.transport.grpc;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * The wire form of a {@code modpaxos.v1.Batch}: encoded envelopes, each framed as field 1 of the
 * batch. Joined by hand from envelopes already encoded on the sender's thread, and split by hand so
 * that each envelope is decoded (and, if malformed, dropped) on its own. Stateless.
 */
final class Batches {
  /** Field 1 ({@code envelopes}), length-delimited: {@code (1 << 3) | 2}. */
  private static final int ENVELOPE_TAG = (1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED;

  /**
   * Batches as the bytes on the wire, in both directions: the sender joins them itself and the
   * receiver splits them itself ({@link #split}), so a malformed envelope costs only itself. Also
   * lets tests write arbitrary frames.
   */
  static final MethodDescriptor.Marshaller<byte[]> MARSHALLER =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new Frame(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  private Batches() {}

  /** A frame whose length gRPC knows up front and which it copies into its buffer in one go. */
  private static final class Frame extends ByteArrayInputStream implements KnownLength, Drainable {
    Frame(byte[] bytes) {
      super(bytes);
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      int n = count - pos;
      target.write(buf, pos, n);
      pos = count;
      return n;
    }
  }

  /** The bytes one encoded envelope of {@code envelopeBytes} takes inside a batch. */
  static int framedBytes(int envelopeBytes) {
    return CodedOutputStream.computeUInt32SizeNoTag(ENVELOPE_TAG)
        + CodedOutputStream.computeUInt32SizeNoTag(envelopeBytes)
        + envelopeBytes;
  }

  /** The batch of {@code envelopes}, whose framed sizes add up to {@code batchBytes}. */
  static byte[] join(List<byte[]> envelopes, int batchBytes) {
    byte[] out = new byte[batchBytes];
    CodedOutputStream o = CodedOutputStream.newInstance(out);
    try {
      for (byte[] e : envelopes) {
        o.writeByteArray(1, e);
      }
      o.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("batch size miscounted: " + e.getMessage(), e);
    }
    return out;
  }

  /**
   * Hands each envelope of {@code batch}, in order, to {@code sink}; skips unknown fields. Throws
   * {@link MalformedMessageException} where the batch itself stops parsing; the envelopes before
   * that point have been handed over.
   */
  static void split(byte[] batch, Consumer<byte[]> sink) {
    CodedInputStream in = CodedInputStream.newInstance(batch);
    try {
      while (true) {
        int tag = in.readTag();
        if (tag == 0) {
          return;
        }
        if (tag == ENVELOPE_TAG) {
          sink.accept(in.readByteArray());
        } else if (!in.skipField(tag)) {
          throw new MalformedMessageException("batch holds an end-group tag");
        }
      }
    } catch (IOException e) {
      throw new MalformedMessageException("batch does not parse: " + e.getMessage(), e);
    }
  }
}
