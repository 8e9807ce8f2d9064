package dev.wharf.runtime.cgroup;

import dev.wharf.runtime.api.ContainerStats;
import dev.wharf.runtime.api.Resources;
import java.util.List;

/**
 * Wharf's cgroup tree on one host: {@code <root>/team-<teamId>/ctr-<containerId>}. The team
 * cgroup carries the team's memory, cpu (quota/period) and pids limits; containers are created
 * beneath it by runc through the OCI spec's {@code linux.cgroupsPath}, so the kernel holds the
 * team's total even when each container is under its own limit.
 *
 * <p>Lifecycle: {@link #applyTeamLimits} (idempotent, before any container of the team) →
 * runc creates and deletes container cgroups → {@link #removeContainer} cleans what runc left →
 * {@link #removeTeam} when the team has no containers left.
 *
 * <p>Implementations: {@code CgroupV1Manager} (one hierarchy per controller) and
 * {@code CgroupV2Manager} (unified hierarchy, {@code cgroup.subtree_control} enabled down the
 * path, never putting processes into a cgroup that has enabled controllers). Both take their
 * mount root as a {@link java.nio.file.Path}, so a temporary directory tree can stand in for
 * {@code /sys/fs/cgroup} in tests.
 */
public interface CgroupManager {

    /** {@code "v1"} or {@code "v2"}. */
    String version();

    /** Creates the team cgroup where missing and writes its limits; {@code null} limits are written as unlimited. */
    void applyTeamLimits(long teamId, Resources limits);

    /** The value for the OCI spec's {@code linux.cgroupsPath} of a container of this team. */
    String containerCgroupsPath(long teamId, String containerId);

    /** Current usage read from the container's cgroup files. */
    ContainerStats containerStats(long teamId, String containerId);

    /** How many times the OOM killer acted in the container's cgroup (0 when the cgroup is gone). */
    long containerOomKills(long teamId, String containerId);

    /** Removes the container's cgroup directories if runc left any (they must be empty of processes). */
    void removeContainer(long teamId, String containerId);

    /** Removes the team's cgroup when it has no container cgroups left; returns whether it is gone. */
    boolean removeTeam(long teamId);

    /** Readable lines for what keeps this host from running containers (empty when all is well). */
    List<String> problems();
}
