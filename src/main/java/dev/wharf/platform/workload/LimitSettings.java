package dev.wharf.platform.workload;

/**
 * How many long-lived container sessions (execs, terminals, followed log streams, all kinds
 * counted together) may be open at once ({@code wharf.limits.*}). Each holds server threads,
 * buffers and a process or a stream on a node, so one user or one team cannot tie them all up. Read by
 * {@link SessionLimits} (a property record would be bound in node mode too, where no control plane runs).
 *
 * @param concurrentPerUser sessions one user may have open at once
 * @param concurrentPerTeam sessions all members of one team together may have open on the team's containers
 */
public record LimitSettings(int concurrentPerUser, int concurrentPerTeam) {

    public LimitSettings {
        if (concurrentPerUser < 1 || concurrentPerTeam < 1) {
            throw new IllegalArgumentException("wharf.limits.concurrent-per-user and wharf.limits.concurrent-per-team must be at least 1");
        }
    }
}
