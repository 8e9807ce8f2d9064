package dev.wharf.platform.quota;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.time.Instant;

/** A team's limits ({@code null} = unlimited) and the resources its containers get when they ask for none. */
@Entity
@Table(name = "team_quotas")
class TeamQuota {

    @Id
    @Column(name = "team_id")
    private Long teamId;

    private BigDecimal cpus;

    @Column(name = "memory_bytes")
    private Long memoryBytes;

    private Long pids;

    private Integer containers;

    @Column(name = "storage_bytes")
    private Long storageBytes;

    @Column(name = "default_cpus")
    private BigDecimal defaultCpus;

    @Column(name = "default_memory_bytes")
    private Long defaultMemoryBytes;

    @Column(name = "default_pids")
    private Long defaultPids;

    @Column(nullable = false)
    private boolean outbound = true;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    protected TeamQuota() {
    }

    TeamQuota(Long teamId, Instant now) {
        this.teamId = teamId;
        this.updatedAt = now;
    }

    Long getTeamId() { return teamId; }
    Double getCpus() { return cpus == null ? null : cpus.doubleValue(); }
    Long getMemoryBytes() { return memoryBytes; }
    Long getPids() { return pids; }
    Long getContainers() { return containers == null ? null : containers.longValue(); }
    Long getStorageBytes() { return storageBytes; }
    Double getDefaultCpus() { return defaultCpus == null ? null : defaultCpus.doubleValue(); }
    Long getDefaultMemoryBytes() { return defaultMemoryBytes; }
    Long getDefaultPids() { return defaultPids; }
    boolean isOutbound() { return outbound; }

    void setOutbound(boolean outbound, Instant now) {
        this.outbound = outbound;
        this.updatedAt = now;
    }

    void setLimits(Double cpus, Long memoryBytes, Long pids, Long containers, Long storageBytes, Instant now) {
        this.cpus = cpus == null ? null : BigDecimal.valueOf(cpus);
        this.memoryBytes = memoryBytes;
        this.pids = pids;
        this.containers = containers == null ? null : Math.toIntExact(containers);
        this.storageBytes = storageBytes;
        this.updatedAt = now;
    }

    void setDefaults(Double cpus, Long memoryBytes, Long pids, Instant now) {
        this.defaultCpus = cpus == null ? null : BigDecimal.valueOf(cpus);
        this.defaultMemoryBytes = memoryBytes;
        this.defaultPids = pids;
        this.updatedAt = now;
    }
}
