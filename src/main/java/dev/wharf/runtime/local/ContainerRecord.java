package dev.wharf.runtime.local;

import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.ContainerState;
import dev.wharf.runtime.api.Health;
import java.time.Instant;

/**
 * The runtime's record of one container, kept in memory and (as a {@link ContainerFile}) in
 * {@code containers/<id>/container.json}. Guarded by its own monitor.
 */
final class ContainerRecord {

    final ContainerSpec spec;
    final Instant createdAt;
    ContainerState state = ContainerState.CREATED;
    int pid;
    Integer exitCode;
    boolean oomKilled;
    Instant startedAt;
    Instant finishedAt;
    /** the container's address on its team's bridge and the CNI result, while attached (from runc create to exit) */
    volatile String ipAddress;
    volatile String networkResult;
    /** what the health check found since the last start; null without one */
    volatile Health health;

    ContainerRecord(ContainerSpec spec, Instant createdAt) {
        this.spec = spec;
        this.createdAt = createdAt;
    }

    /** On its team's network with this attachment, or ({@code null}) off it. */
    void attached(dev.wharf.runtime.network.TeamNetworks.Attachment attachment) {
        ipAddress = attachment == null ? null : attachment.ipAddress();
        networkResult = attachment == null ? null : attachment.result();
    }

    ContainerInfo info() {
        return new ContainerInfo(spec.id(), spec.name(), spec.teamId(), state, state == ContainerState.EXITED ? 0 : pid, exitCode,
                oomKilled, createdAt, startedAt, finishedAt, spec, ipAddress, health);
    }

    String toJson() {
        return ContainerFile.write(this);
    }

    static ContainerRecord fromJson(String json) {
        return ContainerFile.read(json);
    }
}
