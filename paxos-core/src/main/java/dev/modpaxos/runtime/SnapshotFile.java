package dev.modpaxos.runtime;

import dev.modpaxos.protocol.SnapshotState;
import dev.modpaxos.spi.SnapshotApplication;
import dev.modpaxos.spi.StoreException;
import dev.modpaxos.spi.StoredSnapshot;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * The layout of a snapshot's bytes (R20), the one place that knows it: a magic number, the slot,
 * the protocol's state (length-prefixed), then the application's bytes to the end.
 */
final class SnapshotFile {
  private static final byte[] MAGIC = {'M', 'P', 'X', 'S', 'N', 'A', 'P', '1'};
  private static final int PROTOCOL_BYTES_MAX = 256 << 20;

  private SnapshotFile() {}

  /** Writes a whole snapshot to {@code out}. */
  static void write(OutputStream out, SnapshotState protocol,
      SnapshotApplication.SnapshotWriter application) throws IOException {
    DataOutputStream data = new DataOutputStream(out);
    data.write(MAGIC);
    data.writeLong(protocol.slot());
    byte[] state = protocol.bytes();
    data.writeInt(state.length);
    data.write(state);
    data.flush();
    application.writeTo(out);
    out.flush();
  }

  /**
   * Reads {@code snapshot}: restores {@code application} from it and returns the protocol's
   * state. Throws {@link StoreException} naming the slot if the bytes are not a snapshot of it.
   */
  static SnapshotState restore(StoredSnapshot snapshot, SnapshotApplication application) {
    try (InputStream in = snapshot.open()) {
      DataInputStream data = new DataInputStream(in);
      byte[] magic = data.readNBytes(MAGIC.length);
      long slot = data.readLong();
      int length = data.readInt();
      if (!Arrays.equals(magic, MAGIC) || slot != snapshot.slot() || length < 0
          || length > PROTOCOL_BYTES_MAX) {
        throw new IOException("not a modpaxos snapshot of slot " + snapshot.slot());
      }
      SnapshotState state = new SnapshotState(slot, data.readNBytes(length));
      application.restore(slot, in);
      return state;
    } catch (IOException e) {
      throw new StoreException("snapshot of slot " + snapshot.slot() + " cannot be read: " + e, e);
    }
  }
}
