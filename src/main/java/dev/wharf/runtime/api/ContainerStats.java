package dev.wharf.runtime.api;

/**
 * Read from the container's cgroup.
 *
 * @param memoryLimitBytes the effective limit, {@code null} when unlimited
 */
public record ContainerStats(double cpuSeconds, long memoryBytes, Long memoryLimitBytes, long pids, long oomKills) {
}
