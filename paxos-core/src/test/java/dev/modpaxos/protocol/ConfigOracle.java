package dev.modpaxos.protocol;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test-only ground truth for R21: replays the applied blocks of one run in slot order and says
 * which configuration governs each slot under the production rule (the configuration as of slot
 * {@code s - L} governs slot {@code s}), whatever rules the simulated nodes run. Not thread-safe.
 */
public final class ConfigOracle {
  private final Membership membership;
  private final Configs configs;
  private final Map<Long, Block> early = new HashMap<>();
  private long appliedSlot;
  private long reconfigs;

  /**
   * Starts from the founding members.
   *
   * @param founding the founding members, all voters at generation 1
   */
  public ConfigOracle(List<Integer> founding) {
    this.membership = new Membership(founding);
    this.configs = new Configs(membership, ReplicaConfig.PIPELINE_SLOTS_LIMIT);
  }

  /**
   * Learns that {@code slot} was applied as {@code block} (admitted, as every node applies it).
   * Slots may arrive in any order and more than once; they are replayed in order.
   *
   * @param slot the slot
   * @param block the applied block
   * @return true if this advanced the replayed slot
   */
  public boolean applied(long slot, Block block) {
    if (slot <= appliedSlot) {
      return false;
    }
    early.putIfAbsent(slot, block);
    boolean advanced = false;
    for (Block b = early.remove(appliedSlot + 1); b != null; b = early.remove(appliedSlot + 1)) {
      appliedSlot++;
      advanced = true;
      boolean changed = false;
      for (Entry e : b.entries()) {
        Reconfig c = Reconfig.of(e);
        Readmission r = Readmission.of(e);
        if (c != null && membership.apply(c)) {
          changed = true;
          reconfigs++;
        } else if (r != null) {
          changed |= membership.readmit(r.member(), r.replaces()) != 0;
        }
      }
      if (changed) {
        configs.changed(appliedSlot);
      }
    }
    return advanced;
  }

  /** {@return the highest slot replayed in order} */
  public long appliedSlot() {
    return appliedSlot;
  }

  /**
   * True if the governing configuration of {@code slot} is known: slot {@code slot - L} was
   * replayed.
   *
   * @param slot the slot
   * @return whether {@link #isMajority} can answer for it
   */
  public boolean knows(long slot) {
    return slot - ReplicaConfig.PIPELINE_SLOTS_LIMIT <= appliedSlot;
  }

  /**
   * True if the voters in {@code votes} (node id to the generation it voted as) are a majority of
   * the current voters of the configuration that governs {@code slot}.
   *
   * @param slot the slot; {@link #knows} must hold
   * @param votes who voted, as which generation
   * @return whether they are a majority there
   */
  public boolean isMajority(long slot, Map<Integer, Integer> votes) {
    return Configs.isQuorum(List.of(configs.governing(slot)), votes);
  }

  /** {@return reconfigurations (adds, promotions, removals) applied so far} */
  public long reconfigs() {
    return reconfigs;
  }

  /** {@return the voters as of the replayed slot} */
  public List<Integer> voters() {
    return membership.voters();
  }

  /** {@return the voters of every configuration governing the next L slots} */
  public List<List<Integer>> votersInWindow() {
    List<List<Integer>> all = new java.util.ArrayList<>();
    for (Membership m : configs.governing(appliedSlot + 1,
        appliedSlot + ReplicaConfig.PIPELINE_SLOTS_LIMIT)) {
      all.add(m.voters());
    }
    all.add(membership.voters());
    return all;
  }

  /** {@return the voters of the configuration that governs the next slot} */
  public List<Integer> votersInForce() {
    return configs.governing(appliedSlot + 1).voters();
  }

  /**
   * True if {@code id} is, or was, a member of the configuration as of the replayed slot.
   *
   * @param id the node id
   * @return whether it is a member, or was removed
   */
  public boolean everMember(int id) {
    return membership.contains(id) || membership.retiredGeneration(id) > 0;
  }

  /**
   * True if {@code id} is a member (voter or learner) as of the replayed slot.
   *
   * @param id the node id
   * @return whether it is a member
   */
  public boolean isMember(int id) {
    return membership.contains(id);
  }

  /** {@return the epoch reached: membership changes applied so far} */
  public long epoch() {
    return membership.epoch();
  }

  /** {@return the configuration as of the replayed slot, for messages} */
  public String describe(long slot) {
    return configs.governing(slot).toString();
  }
}
