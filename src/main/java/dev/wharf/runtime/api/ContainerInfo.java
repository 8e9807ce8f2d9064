package dev.wharf.runtime.api;

import java.time.Instant;

/**
 * A container as the runtime knows it now.
 *
 * @param pid       host pid of the container's first process while it runs, else 0
 * @param exitCode  set once {@code EXITED} (128+n after signal n)
 * @param oomKilled whether the kernel's OOM killer ended a process of the container
 * @param ipAddress the container's address on its team's network from its start to its exit, else null
 * @param health    what its health check found since its last start; null without a health check
 */
public record ContainerInfo(String id, String name, long teamId, ContainerState state, int pid, Integer exitCode,
        boolean oomKilled, Instant createdAt, Instant startedAt, Instant finishedAt, ContainerSpec spec, String ipAddress,
        Health health) {
}
