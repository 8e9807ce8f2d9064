package dev.wharf.platform.node;

import java.util.List;
import java.util.Map;

/** What the platform has placed on a node, as the workload feature knows it. */
public interface NodeUsage {

    /** Declared limits of the containers placed on the node ({@code null} cpus/memory/pids sums count as 0). */
    record Allocation(long containers, double cpus, long memoryBytes, long pids) {
    }

    Allocation allocated(String node);

    /** Containers the node runs that the platform has no record of (never killed silently; shown here). */
    List<String> unmanaged(String node);

    /** How many containers the team has on each node (placement spreads a team over the nodes). */
    Map<String, Long> teamContainers(long teamId);

    /** The teams with containers placed on the node. */
    java.util.Set<Long> teamsOn(String node);
}
