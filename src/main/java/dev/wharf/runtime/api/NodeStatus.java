package dev.wharf.runtime.api;

import java.util.List;

/**
 * Whether this runtime can run containers, and one readable line per missing piece ("runc not
 * found on PATH; install the runc package"). A ready node may still list problems: those keep only
 * some containers from running (no init for containers that ask for one).
 */
public record NodeStatus(boolean ready, List<String> problems, int cpus, long memoryBytes, String cgroupVersion) {
}
