package dev.modpaxos.bank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modpaxos.local.InMemoryStore;
import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.spi.StateLoss;
import dev.modpaxos.spi.StoreIdentity;
import dev.modpaxos.spi.StoredState;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RejoinCheckTest {
  private static final StoreIdentity FOUNDING = StoreIdentity.founding(Servers.CLUSTER_ID, 3);
  private static final StoreIdentity PENDING =
      new StoreIdentity(Servers.CLUSTER_ID, 3, StoreIdentity.PENDING, 77);

  private static StoredState state(StoreIdentity id, Set<StateLoss> losses) {
    return new StoredState(id, Ballot.ZERO, List.of(), List.of(), List.of(), losses);
  }

  private static String refusal(StoredState s, boolean rejoin) {
    return RejoinCheck.refusal(s, rejoin, "S3's store in data/S3");
  }

  @Test
  void withoutRejoinAWipedOrDamagedStoreIsRefusedWithOneLine() {
    assertThat(refusal(StoredState.EMPTY, false))
        .isEqualTo("S3's store in data/S3 is empty; to re-admit this server as a new incarnation,"
            + " start it with --rejoin (a new cluster runs `bank init` first)");
    assertThat(refusal(state(FOUNDING, Set.of(StateLoss.CHOSEN_BLOCKS)), false))
        .contains("reports lost state [CHOSEN_BLOCKS]").contains("--rejoin").doesNotContain("\n");
    assertThat(refusal(state(FOUNDING, Set.of()), false)).isNull();
    assertThat(refusal(state(PENDING, Set.of()), false)).as("a rejoin that was interrupted")
        .isNull();
  }

  @Test
  void withRejoinAnIntactStoreIsRefusedAndALostOneStarts() {
    assertThat(refusal(state(FOUNDING, Set.of()), true))
        .contains("is intact (generation 1)").contains("without --rejoin");
    assertThat(refusal(StoredState.EMPTY, true)).isNull();
    assertThat(refusal(state(FOUNDING, Set.of(StateLoss.LOCAL_ENTRIES)), true)).isNull();
    assertThat(refusal(state(PENDING, Set.of()), true)).isNull();
  }

  @Test
  void aRefusedLoadThrowsBeforeAnythingIsWrittenAndAnAcceptedOneSaysItIsNew() {
    InMemoryStore empty = new InMemoryStore();
    RejoinCheck plain = new RejoinCheck(empty, false, "S3's store");
    assertThatThrownBy(plain::load).isInstanceOf(RejoinCheck.RefusedStart.class)
        .hasMessageContaining("--rejoin");
    assertThat(empty.load().isEmpty()).isTrue();
    RejoinCheck rejoin = new RejoinCheck(new InMemoryStore(), true, "S3's store");
    assertThat(rejoin.load().isEmpty()).isTrue();
    assertThat(rejoin.newIncarnation()).isTrue();
  }
}
