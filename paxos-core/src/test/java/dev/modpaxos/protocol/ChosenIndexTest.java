package dev.modpaxos.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class ChosenIndexTest {

  /**
   * Ids of three origins in two generations, in any order (so consecutive adds switch origin and
   * generation, which the index's one-entry lookup cache must follow), against a set; then the
   * same questions of the index as a snapshot writes and reads it back (R20).
   */
  @Property(tries = 300)
  void agreesWithASetModelAndAfterASnapshotRoundTrip(
      @ForAll @Size(max = 200) List<@IntRange(min = 1, max = 3) Integer> origins,
      @ForAll @Size(max = 200) List<@IntRange(min = 1, max = 60) Integer> seqs,
      @ForAll @Size(max = 200) List<Boolean> secondGeneration) throws IOException {
    ChosenIndex index = new ChosenIndex();
    Set<EntryId> model = new HashSet<>();
    int n = Math.min(origins.size(), Math.min(seqs.size(), secondGeneration.size()));
    for (int i = 0; i < n; i++) {
      EntryId id = id(origins.get(i), secondGeneration.get(i) ? 2 : 1, seqs.get(i));
      assertThat(index.add(id)).isEqualTo(model.add(id));
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    index.writeTo(new DataOutputStream(bytes));
    ChosenIndex copy =
        ChosenIndex.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    assertThat(copy).isEqualTo(index);
    for (ChosenIndex i : List.of(index, copy)) {
      for (int o = 1; o <= 3; o++) {
        long max = 0;
        for (int g = 1; g <= 2; g++) {
          for (int s = 1; s <= 61; s++) {
            EntryId id = id(o, g, s);
            assertThat(i.contains(id)).isEqualTo(model.contains(id));
            if (model.contains(id)) {
              max = Math.max(max, id.seq());
            }
          }
        }
        assertThat(i.maxSeq(o)).isEqualTo(max);
      }
      assertThat(i.size()).isEqualTo(model.size());
    }
  }

  private static EntryId id(int origin, int generation, int n) {
    return new EntryId(origin, EntryId.firstSeq(generation) + n - 1);
  }
}
