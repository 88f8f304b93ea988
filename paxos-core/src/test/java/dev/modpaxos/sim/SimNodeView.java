package dev.modpaxos.sim;

import dev.modpaxos.protocol.Entry;
import dev.modpaxos.spi.Application;
import java.util.List;

/**
 * What a {@link Simulator} workload sees of one simulated node while it decides what to submit.
 * Valid only during the call that received it; the simulation is single-threaded.
 *
 * @param <A> the application under test
 */
public interface SimNodeView<A extends Application> {
  /** The member id, 1..N. */
  int id();

  /**
   * The node's application as of now: every chosen block it applied in this incarnation (a
   * restart replays them from slot 1). Read it; never change it.
   */
  A application();

  /** The node's local log: its entries not yet chosen, in submit order, as it submitted them. */
  List<Entry> localLog();
}
