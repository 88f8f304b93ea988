package dev.modpaxos.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modpaxos.protocol.Ballot;
import dev.modpaxos.protocol.Message;
import dev.modpaxos.protocol.Stamp;
import dev.modpaxos.spi.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link FaultInjectingTransport} over a {@link LocalNetwork}, which delivers on the sender's
 * thread, so with no delay every outcome is known when {@code send} returns.
 */
class FaultInjectingTransportTest {
  private static final Stamp STAMP = new Stamp(Stamp.clusterFingerprint("t", List.of(1, 2)), 0);
  private final LocalNetwork network = new LocalNetwork(List.of(1, 2));
  private final Map<Integer, List<Message>> inbox = new ConcurrentHashMap<>();
  private final List<Transport> started = new ArrayList<>();

  private Transport start(int id, NetworkFaults faults) {
    List<Message> in = inbox.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>());
    Transport t = new FaultInjectingTransport(id, network.transport(id), faults);
    t.start((stamp, m) -> in.add(m));
    started.add(t);
    return t;
  }

  @AfterEach
  void close() {
    started.forEach(Transport::close);
  }

  private static Message accepted(int from, int to, long slot) {
    return new Message.Accepted(from, to, new Ballot(1, from), slot);
  }

  @Test
  void duplicateProbabilityOneDeliversEveryMessageTwice() {
    NetworkFaults faults = new NetworkFaults(1);
    Transport one = start(1, faults);
    start(2, faults);
    faults.duplicateProbability(1);
    one.send(STAMP, accepted(1, 2, 1));
    one.send(STAMP, accepted(1, 2, 2));
    assertThat(inbox.get(2)).containsExactly(
        accepted(1, 2, 1), accepted(1, 2, 1), accepted(1, 2, 2), accepted(1, 2, 2));
    faults.duplicateProbability(0);
    one.send(STAMP, accepted(1, 2, 3));
    assertThat(inbox.get(2)).hasSize(5);
    assertThat(faults.dropped()).isZero();
  }

  @Test
  void aLinkCutOnTheReceiversSwitchboardDropsOnArrivalOneWayOnly() {
    NetworkFaults senders = new NetworkFaults(1); // each process has its own switchboard
    NetworkFaults receivers = new NetworkFaults(2);
    Transport one = start(1, senders);
    Transport two = start(2, receivers);
    receivers.cut(1, 2); // "S2 does not hear S1", set on S2 alone
    one.send(STAMP, accepted(1, 2, 1));
    two.send(STAMP, accepted(2, 1, 2));
    assertThat(inbox.get(2)).isEmpty();
    assertThat(inbox.get(1)).containsExactly(accepted(2, 1, 2));
    assertThat(receivers.dropped()).isEqualTo(1);
    assertThat(senders.dropped()).isZero();
    receivers.restoreLinks();
    one.send(STAMP, accepted(1, 2, 3));
    assertThat(inbox.get(2)).containsExactly(accepted(1, 2, 3));
  }

  @Test
  void aCutOnASharedSwitchboardCountsEachDropOnce() {
    NetworkFaults faults = new NetworkFaults(1);
    Transport one = start(1, faults);
    start(2, faults);
    faults.cut(1, 2);
    for (int i = 1; i <= 3; i++) {
      one.send(STAMP, accepted(1, 2, i));
    }
    assertThat(inbox.get(2)).isEmpty();
    assertThat(faults.dropped()).isEqualTo(3);
  }

  @Test
  void restoringLinksKeepsADisconnectedNodeDisconnected() {
    NetworkFaults faults = new NetworkFaults(1);
    Transport one = start(1, faults);
    start(2, faults);
    faults.disconnect(2);
    faults.cut(1, 2);
    faults.restoreLinks();
    one.send(STAMP, accepted(1, 2, 1));
    assertThat(inbox.get(2)).isEmpty();
    faults.reconnect(2);
    one.send(STAMP, accepted(1, 2, 2));
    assertThat(inbox.get(2)).containsExactly(accepted(1, 2, 2));
  }

  @Test
  void aProbabilityOutsideZeroToOneIsRefusedAndChangesNothing() {
    NetworkFaults faults = new NetworkFaults(1);
    Transport one = start(1, faults);
    start(2, faults);
    assertThatThrownBy(() -> faults.duplicateProbability(1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duplicate probability must be in [0, 1], got 1.5");
    one.send(STAMP, accepted(1, 2, 1));
    assertThat(inbox.get(2)).hasSize(1);
  }
}
