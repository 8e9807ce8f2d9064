package dev.wharf.platform.node;

import java.util.List;

/** What the platform has placed on a node, as the workload feature knows it. */
public interface NodeUsage {

    /** Declared limits of the containers placed on the node ({@code null} cpus/memory/pids sums count as 0). */
    record Allocation(long containers, double cpus, long memoryBytes, long pids) {
    }

    Allocation allocated(String node);

    /** Containers the node runs that the platform has no record of (never killed silently; shown here). */
    List<String> unmanaged(String node);
}
