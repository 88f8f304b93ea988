package dev.modpaxos.example.kv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modpaxos.sim.SimReport;
import dev.modpaxos.sim.Simulator;
import org.junit.jupiter.api.Test;

/**
 * The key-value store in the simulator test-kit, under seeded faults: the README's example of a
 * user's test of their own state machine (ReadmeSnippetsTest keeps the two in step).
 */
class KvSimulationTest {

  // README-SIMULATION:BEGIN kit
  @Test
  void theStoreKeepsItsPropertiesUnderFaults() {
    SimReport report = Simulator.of(KvStore::new)              // a fresh store per incarnation
        .submits((node, random) -> {                           // what a node submits, seeded
          String key = "k" + random.nextInt(3);
          String value = "v" + random.nextInt(1000);
          String seen = node.application().get(key);           // this replica's view of it
          return (random.nextBoolean() ? KvCommand.put(key, value)
              : KvCommand.cas(key, seen, value)).encode();
        })
        .checks((node, slot, kv) -> {                          // every replica, every slot
          if (kv.size() > 3) throw new AssertionError("unknown keys in " + kv.snapshot());
        })
        .digest(KvStore::snapshot)                             // replicas agree slot by slot
        .reads(kv -> kv.get("k0"))                             // linearizable reads, checked
        .seeds(200)
        .run();                                                // prints the totals line
    assertThat(report.reads()).isPositive();
  }
  // README-SIMULATION:END kit
}
