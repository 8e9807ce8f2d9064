package dev.wharf.runtime.api;

/** The kernel limits of one team's cgroup, which holds all of that team's containers together. */
public record TeamLimits(long teamId, Resources resources) {

    public TeamLimits {
        if (teamId < 1) {
            throw RuntimeFailure.invalid("team id must be positive, got " + teamId);
        }
        if (resources == null) {
            resources = Resources.UNLIMITED;
        }
    }
}
