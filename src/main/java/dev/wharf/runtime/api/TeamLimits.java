package dev.wharf.runtime.api;

/**
 * What a node enforces for one team: the limits of the team's cgroup, which holds all of that
 * team's containers together, and whether the team's containers may reach beyond the node
 * ({@code outbound}: their traffic is masqueraded; off, they reach only their own team).
 */
public record TeamLimits(long teamId, Resources resources, boolean outbound) {

    /** Limits with outbound traffic allowed. */
    public TeamLimits(long teamId, Resources resources) {
        this(teamId, resources, true);
    }

    public TeamLimits {
        if (teamId < 1) {
            throw RuntimeFailure.invalid("team id must be positive, got " + teamId);
        }
        if (resources == null) {
            resources = Resources.UNLIMITED;
        }
    }
}
