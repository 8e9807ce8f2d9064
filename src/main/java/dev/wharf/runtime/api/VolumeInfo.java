package dev.wharf.runtime.api;

import java.util.List;

/**
 * A team volume on a node.
 *
 * @param sizeBytes  the size the team asked for
 * @param usedBytes  the space its files take now (measured)
 * @param overSize   whether the files take more than the size (a volume is a filesystem of its size, so only a volume
 *                   made before volumes had one can)
 * @param usedBy     ids of the containers that mount it
 */
public record VolumeInfo(long teamId, String name, long sizeBytes, long usedBytes, boolean overSize, List<String> usedBy) {

    /** The smallest volume a node makes: the smallest ext4 filesystem that still holds files (256 KiB). */
    public static final long MIN_SIZE_BYTES = 256L << 10;
}
