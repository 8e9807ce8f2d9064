package dev.wharf.runtime.api;

import java.util.List;

/**
 * A team volume on a node.
 *
 * @param sizeBytes  the size the team asked for
 * @param usedBytes  the space its files take now (measured)
 * @param overSize   whether the files take more than the size (reported; filesystems without project quotas cannot stop it)
 * @param usedBy     ids of the containers that mount it
 */
public record VolumeInfo(long teamId, String name, long sizeBytes, long usedBytes, boolean overSize, List<String> usedBy) {
}
