package dev.modpaxos.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modpaxos.protocol.Block;
import dev.modpaxos.protocol.Entry;
import dev.modpaxos.sim.SimReport;
import dev.modpaxos.sim.Simulator;
import dev.modpaxos.spi.Application;
import dev.modpaxos.spi.ResultApplication;
import dev.modpaxos.spi.SnapshotApplication;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The public simulator test-kit, used as a library user would: from outside {@code
 * dev.modpaxos.sim}, on an application of its own. A clean run passes and counts real work; a
 * replica that is not deterministic, and a check that fails, each fail the run with the seeds.
 */
class CounterSimulationTest {
  private static final int SEEDS = 40;

  /** A user's state machine: adds up the numbers it is sent. */
  static class Counter implements Application {
    long total;
    long applied;

    static byte[] add(int n) {
      return ByteBuffer.allocate(Integer.BYTES).putInt(n).array();
    }

    @Override
    public void apply(long slot, Block block) {
      for (Entry e : block.entries()) {
        total += ByteBuffer.wrap(e.payload()).getInt();
        applied++;
      }
    }
  }

  /** Not deterministic: each replica adds its own bias. */
  static final class BiasedCounter extends Counter {
    private final int bias = System.identityHashCode(this) % 7;

    @Override
    public void apply(long slot, Block block) {
      super.apply(slot, block);
      total += block.isEmpty() ? 0 : bias;
    }
  }

  @Test
  void aCorrectCounterKeepsEveryPropertyUnderFaults() {
    List<String> printed = new ArrayList<>();
    SimReport report =
        Simulator.of(Counter::new)
            .submits((node, random) -> Counter.add(1 + random.nextInt(9)))
            .checks((node, slot, counter) -> {
              if (counter.total < counter.applied) {
                throw new AssertionError("total " + counter.total + " below " + counter.applied);
              }
            })
            .digest(counter -> counter.total)
            .reads(counter -> counter.total)
            .seeds(SEEDS)
            .output(printed::add)
            .run();

    assertThat(report.seeds()).isEqualTo(SEEDS);
    assertThat(report.violations()).isZero();
    assertThat(report.chosenEntries()).as("entries chosen over %d seeds", SEEDS).isGreaterThan(
        SEEDS * 10L);
    assertThat(report.crashes()).isPositive();
    assertThat(report.reads()).as("reads served").isPositive();
    assertThat(report.staleReads()).isZero();
    assertThat(printed).last().isEqualTo(report.totalsLine());
    assertThat(report.totalsLine()).startsWith("simulation seeds=" + SEEDS + " violations=0 ")
        // A Counter is no SnapshotApplication: the kit never snapshots it (R20).
        .contains(" reads=" + report.reads() + " stale_reads=0 snapshots=0 installs=0 ")
        // R21: the kit adds and removes members of a user's cluster too.
        .contains(" reconfigs=" + report.reconfigs() + " aside=");
    assertThat(report.reconfigs()).as("R21: members added and removed").isPositive();
  }

  @Test
  void aReplicaThatIsNotDeterministicFailsTheRunWithItsSeeds() {
    List<String> printed = new ArrayList<>();
    Simulator<Counter> sim =
        Simulator.<Counter>of(BiasedCounter::new)
            .submits((node, random) -> Counter.add(1))
            .digest(counter -> counter.total)
            .seeds(5)
            .output(printed::add);

    assertThatThrownBy(sim::run)
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("violations in seeds [1,")
        .hasMessageContaining("-Dtest=CounterSimulationTest -Dsim.seed=S");
    assertThat(String.join("\n", printed))
        .contains("seed 1 FAILED")
        .contains("DigestChecker")
        .contains("replay: mvn test -Dtest=CounterSimulationTest -Dsim.seed=1");
  }

  /** A snapshotting counter (R20); {@code skew} breaks its restore on purpose when not 0. */
  static class SnapshotCounter extends Counter implements SnapshotApplication {
    private final long skew;

    SnapshotCounter(long skew) {
      this.skew = skew;
    }

    @Override
    public SnapshotWriter snapshot(long slot) {
      long t = total;
      long a = applied;
      return out -> {
        DataOutputStream d = new DataOutputStream(out);
        d.writeLong(t);
        d.writeLong(a);
        d.flush();
      };
    }

    @Override
    public void restore(long slot, InputStream in) throws IOException {
      DataInputStream d = new DataInputStream(in);
      total = d.readLong() + skew;
      applied = d.readLong();
    }
  }

  @Test
  void aSnapshotApplicationIsSnapshottedAndInstalledInHalfTheSeeds() {
    SimReport report =
        Simulator.of(() -> new SnapshotCounter(0))
            .submits((node, random) -> Counter.add(1 + random.nextInt(5)))
            .digest(counter -> counter.total)
            .seeds(SEEDS)
            .output(line -> {})
            .run();
    assertThat(report.violations()).isZero();
    assertThat(report.totalsLine()).containsPattern(" snapshots=[1-9][0-9]* installs=[1-9]");
  }

  @Test
  void aRestoreThatLosesStateIsCaughtByTheDigests() {
    Simulator<SnapshotCounter> sim =
        Simulator.of(() -> new SnapshotCounter(1))
            .submits((node, random) -> Counter.add(1))
            .digest(counter -> counter.total)
            .seeds(SEEDS)
            .output(line -> {});
    assertThatThrownBy(sim::run).isInstanceOf(AssertionError.class)
        .hasMessageContaining("violations in seeds");
  }

  @Test
  void aFailingCheckIsAViolationNamingNodeAndSlot() {
    Simulator<Counter> sim =
        Simulator.of(Counter::new)
            .submits((node, random) -> Counter.add(5))
            .checks((node, slot, counter) -> assertThat(counter.total).isLessThan(20))
            .seeds(3)
            .output(line -> {});

    assertThatThrownBy(sim::run).isInstanceOf(AssertionError.class).hasMessageContaining(
        "violations in seeds [1, 2, 3]");
  }

  @Test
  void aReadQueryThatThrowsIsAViolation() {
    Simulator<Counter> sim =
        Simulator.of(Counter::new)
            .submits((node, random) -> Counter.add(1))
            .reads(counter -> {
              throw new IllegalStateException("query failed");
            })
            .seeds(3)
            .output(line -> {});

    assertThatThrownBy(sim::run).isInstanceOf(AssertionError.class).hasMessageContaining(
        "violations in seeds [1, 2, 3]");
  }

  /** One result per entry is the contract; a block's worth of one result stops the node. */
  static final class OneResultCounter extends Counter implements ResultApplication {
    @Override
    public List<?> applyWithResults(long slot, Block block) {
      apply(slot, block);
      return List.of(total);
    }
  }

  @Test
  void aResultApplicationIsRunAsOneAndAWrongResultCountFailsTheRun() {
    List<String> printed = new ArrayList<>();
    Simulator<OneResultCounter> sim =
        Simulator.of(OneResultCounter::new)
            .submits((node, random) -> Counter.add(1))
            .seeds(3)
            .output(printed::add);

    assertThatThrownBy(sim::run).isInstanceOf(AssertionError.class);
    assertThat(String.join("\n", printed)).contains("results for the");
  }

  @Test
  void simSeedReplaysThatSeedAloneWithItsTraceTheSameEachTime() {
    String before = System.getProperty("sim.seed");
    System.setProperty("sim.seed", "7");
    try {
      List<String> first = new ArrayList<>();
      List<String> second = new ArrayList<>();
      SimReport a = replay(first);
      replay(second);
      assertThat(a.seeds()).isEqualTo(1);
      assertThat(first).hasSizeGreaterThan(100).isEqualTo(second);
      assertThat(first.get(0)).startsWith("t=0 seed 7 ");
      assertThat(first).anyMatch(line -> line.contains(" commit slot="));
    } finally {
      if (before == null) {
        System.clearProperty("sim.seed");
      } else {
        System.setProperty("sim.seed", before);
      }
    }
  }

  private static SimReport replay(List<String> printed) {
    return Simulator.of(Counter::new)
        .submits((node, random) -> Counter.add(2))
        .seeds(SEEDS)
        .output(printed::add)
        .run();
  }

  @Test
  void submitsIsRequired() {
    assertThatThrownBy(() -> Simulator.of(Counter::new).run())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Simulator: call submits(...) before run()");
  }
}
