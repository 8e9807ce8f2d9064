package dev.wharf.runtime.api;

import java.util.List;

/**
 * Whether this runtime can run containers, and if not, one readable line per missing piece
 * ("runc not found on PATH; install the runc package").
 */
public record NodeStatus(boolean ready, List<String> problems, int cpus, long memoryBytes, String cgroupVersion) {
}
