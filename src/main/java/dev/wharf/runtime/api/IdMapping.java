package dev.wharf.runtime.api;

/**
 * A team's slice of host user and group ids: container id {@code n} is host id
 * {@code hostBase + n}, for {@code n < size}. Each team gets its own disjoint slice, so root in
 * one team's container is an unprivileged host uid that no other team shares.
 */
public record IdMapping(long hostBase, int size) {

    public static final int TEAM_SIZE = 65536;
    /** host ids must stay below 2^32 - 1 (the kernel's "no id") */
    private static final long MAX_HOST_ID = 0xFFFF_FFFEL;

    public IdMapping {
        if (hostBase < 1 || size < 1 || hostBase + size - 1 > MAX_HOST_ID) {
            throw RuntimeFailure.invalid("id mapping " + hostBase + "+" + size + " is outside the host's id range");
        }
    }

    /** Team {@code teamId}'s slice above {@code base}: {@code base + (teamId - 1) * 65536}. */
    public static IdMapping forTeam(long teamId, long base) {
        if (teamId < 1) {
            throw RuntimeFailure.invalid("team id must be positive, got " + teamId);
        }
        long hostBase = base + (teamId - 1) * TEAM_SIZE;
        if (hostBase + TEAM_SIZE - 1 > MAX_HOST_ID) {
            throw RuntimeFailure.invalid("team " + teamId + " does not fit in the host's id range above " + base);
        }
        return new IdMapping(hostBase, TEAM_SIZE);
    }

    /** The host id for a container id; ids outside the mapping become the overflow id, as the kernel shows them. */
    public long toHost(long containerId) {
        return containerId >= 0 && containerId < size ? hostBase + containerId : 65534;
    }

    /** A short stable name, for keying snapshots per mapping: {@code 1000000-65536}. */
    public String key() {
        return hostBase + "-" + size;
    }
}
