package dev.modpaxos.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class ChosenIndexTest {

  @Property(tries = 300)
  void agreesWithASetModel(
      @ForAll @Size(max = 200) List<@IntRange(min = 1, max = 3) Integer> origins,
      @ForAll @Size(max = 200) List<@IntRange(min = 1, max = 60) Integer> seqs) {
    ChosenIndex index = new ChosenIndex();
    Set<EntryId> model = new HashSet<>();
    for (int i = 0; i < Math.min(origins.size(), seqs.size()); i++) {
      EntryId id = new EntryId(origins.get(i), seqs.get(i));
      assertThat(index.add(id)).isEqualTo(model.add(id));
    }
    for (int o = 1; o <= 3; o++) {
      long max = 0;
      for (int s = 1; s <= 61; s++) {
        EntryId id = new EntryId(o, s);
        assertThat(index.contains(id)).isEqualTo(model.contains(id));
        if (model.contains(id)) {
          max = s;
        }
      }
      assertThat(index.maxSeq(o)).isEqualTo(max);
    }
    assertThat(index.size()).isEqualTo(model.size());
  }
}
