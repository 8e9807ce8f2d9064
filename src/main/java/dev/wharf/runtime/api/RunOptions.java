package dev.wharf.runtime.api;

import java.util.List;

/**
 * How a container's process runs beyond its command.
 *
 * @param init           run a minimal init as PID 1 that reaps zombies and forwards signals to the command
 * @param tmpfs          tmpfs mounts, at distinct paths
 * @param readOnlyRootfs mount the root filesystem read-only (volumes and tmpfs stay writable)
 * @param healthCheck    how the node probes its health, or {@code null} for none
 */
public record RunOptions(boolean init, List<TmpfsMount> tmpfs, boolean readOnlyRootfs, HealthCheck healthCheck) {

    public static final RunOptions DEFAULT = new RunOptions(false, List.of(), false, null);

    public RunOptions {
        tmpfs = tmpfs == null ? List.of() : List.copyOf(tmpfs);
        if (tmpfs.stream().map(TmpfsMount::path).distinct().count() != tmpfs.size()) {
            throw RuntimeFailure.invalid("two tmpfs mounts are at the same path");
        }
    }
}
