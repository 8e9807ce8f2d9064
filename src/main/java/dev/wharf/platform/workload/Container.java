package dev.wharf.platform.workload;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.PostLoad;
import jakarta.persistence.PostPersist;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;
import java.math.BigDecimal;
import java.time.Instant;
import org.springframework.data.domain.Persistable;

/**
 * A team's container: what was asked for (image, spec, declared resources, restart policy,
 * desired state) and what was last seen (state, exit code, OOM, restarts, node). Declared
 * resources count against the team's quota for as long as the row exists.
 */
@Entity
@Table(name = "containers")
class Container implements Persistable<String> {

    @Id
    @Column(length = 32)
    private String id;

    /** a request and the reconciler may change one row at once: the later save fails and is retried, never overwriting */
    @jakarta.persistence.Version
    private long version;

    @Column(name = "team_id", nullable = false)
    private Long teamId;

    @Column(name = "project_id")
    private Long projectId;

    @Column(nullable = false, length = 63)
    private String name;

    @Column(nullable = false, length = 500)
    private String image;

    @Column(name = "image_digest", length = 71)
    private String imageDigest;

    @Column(nullable = false, length = 20000)
    private String spec;

    private BigDecimal cpus;

    @Column(name = "memory_bytes")
    private Long memoryBytes;

    private Long pids;

    @Column(name = "restart_policy", nullable = false, length = 32)
    private String restartPolicy;

    @Column(name = "desired_state", nullable = false, length = 16)
    private String desiredState;

    @Column(nullable = false, length = 16)
    private String state;

    @Column(name = "state_reason", length = 1000)
    private String stateReason;

    @Column(name = "exit_code")
    private Integer exitCode;

    @Column(name = "oom_killed", nullable = false)
    private boolean oomKilled;

    @Column(name = "restart_count", nullable = false)
    private int restartCount;

    @Column(length = 63)
    private String node;

    @Column(name = "ip_address", length = 45)
    private String ipAddress;

    /** written only by {@link ContainerRepository#recordWritableBytes}, so a row saved for another reason never undoes a measurement */
    @Column(name = "writable_bytes", nullable = false, updatable = false)
    private long writableBytes;

    @Column(name = "created_by", nullable = false, length = 63)
    private String createdBy;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "started_at")
    private Instant startedAt;

    @Column(name = "finished_at")
    private Instant finishedAt;

    /** true until the row is first written: {@code save} then inserts it without first looking for it (ids are assigned here) */
    @Transient
    private boolean isNew;

    protected Container() {
    }

    Container(String id, Long teamId, Long projectId, String name, String image, String spec, Double cpus, Long memoryBytes, Long pids,
            String restartPolicy, String desiredState, String createdBy, Instant createdAt) {
        this.id = id;
        this.teamId = teamId;
        this.projectId = projectId;
        this.name = name;
        this.image = image;
        this.spec = spec;
        this.cpus = cpus == null ? null : BigDecimal.valueOf(cpus);
        this.memoryBytes = memoryBytes;
        this.pids = pids;
        this.restartPolicy = restartPolicy;
        this.desiredState = desiredState;
        this.state = ContainerStates.CREATED;
        this.createdBy = createdBy;
        this.createdAt = createdAt;
        this.isNew = true;
    }

    /**
     * A read-only copy of a row, for lists (see {@code ContainerRepository.COPIES}): not managed,
     * so never saved; changes go through a loaded entity.
     */
    Container(String id, long version, Long teamId, Long projectId, String name, String image, String imageDigest, String spec,
            BigDecimal cpus, Long memoryBytes, Long pids, String restartPolicy, String desiredState, String state, String stateReason,
            Integer exitCode, boolean oomKilled, int restartCount, String node, String createdBy, Instant createdAt, Instant startedAt,
            Instant finishedAt, String ipAddress, long writableBytes) {
        this.id = id;
        this.version = version;
        this.teamId = teamId;
        this.projectId = projectId;
        this.name = name;
        this.image = image;
        this.imageDigest = imageDigest;
        this.spec = spec;
        this.cpus = cpus;
        this.memoryBytes = memoryBytes;
        this.pids = pids;
        this.restartPolicy = restartPolicy;
        this.desiredState = desiredState;
        this.state = state;
        this.stateReason = stateReason;
        this.exitCode = exitCode;
        this.oomKilled = oomKilled;
        this.restartCount = restartCount;
        this.node = node;
        this.createdBy = createdBy;
        this.createdAt = createdAt;
        this.startedAt = startedAt;
        this.finishedAt = finishedAt;
        this.ipAddress = ipAddress;
        this.writableBytes = writableBytes;
    }

    /**
     * What says whether a view of the row made earlier still holds: the version (bumped by every write
     * of the row but the measured layer size's) and that size. Read by {@link ContainerKeys}.
     */
    record Key(String id, long version, long writableBytes, Long projectId) {
    }

    @Override
    public String getId() { return id; }

    @Override
    public boolean isNew() { return isNew; }

    @PostLoad
    @PostPersist
    void stored() {
        isNew = false;
    }

    /** Bumped by every write of the row except {@link ContainerRepository#recordWritableBytes}. */
    long getVersion() { return version; }
    Long getTeamId() { return teamId; }
    Long getProjectId() { return projectId; }
    String getName() { return name; }
    String getImage() { return image; }
    String getImageDigest() { return imageDigest; }
    String getSpec() { return spec; }
    Double getCpus() { return cpus == null ? null : cpus.doubleValue(); }
    Long getMemoryBytes() { return memoryBytes; }
    Long getPids() { return pids; }
    String getRestartPolicy() { return restartPolicy; }
    String getDesiredState() { return desiredState; }
    String getState() { return state; }
    String getStateReason() { return stateReason; }
    Integer getExitCode() { return exitCode; }
    boolean isOomKilled() { return oomKilled; }
    int getRestartCount() { return restartCount; }
    String getNode() { return node; }
    String getIpAddress() { return ipAddress; }
    long getWritableBytes() { return writableBytes; }
    String getCreatedBy() { return createdBy; }
    Instant getCreatedAt() { return createdAt; }
    Instant getStartedAt() { return startedAt; }
    Instant getFinishedAt() { return finishedAt; }

    void placed(String node, String imageDigest) {
        this.node = node;
        this.imageDigest = imageDigest;
    }

    void desire(String desiredState) {
        this.desiredState = desiredState;
    }

    void started(Instant at) {
        state = ContainerStates.RUNNING;
        stateReason = null;
        startedAt = at;
        finishedAt = null;
        exitCode = null;
        oomKilled = false;
    }

    /** Whether the row already records a start at {@code at} (to the database's microsecond), so that start needs no write. */
    boolean saysStarted(Instant at) {
        return ContainerStates.RUNNING.equals(state) && startedAt != null && at != null
                && startedAt.truncatedTo(java.time.temporal.ChronoUnit.MICROS).equals(at.truncatedTo(java.time.temporal.ChronoUnit.MICROS));
    }

    /** The address the node gave it on its team's network (null: none, e.g. not running). */
    void address(String ipAddress) {
        this.ipAddress = ipAddress;
    }

    void exited(Integer exitCode, boolean oomKilled, Instant at) {
        state = ContainerStates.EXITED;
        ipAddress = null;
        this.exitCode = exitCode;
        this.oomKilled = oomKilled;
        finishedAt = at;
    }

    void state(String state, String reason) {
        this.state = state;
        this.stateReason = reason;
    }

    /** The platform stops it (its team is past a quota): it stays stopped, and says why, until someone starts it. */
    void stopping(String reason) {
        desiredState = ContainerStates.DESIRED_STOPPED;
        stateReason = reason;
    }

    void restarting(String reason) {
        state = ContainerStates.RESTARTING;
        stateReason = reason;
        restartCount++;
    }

    void resetRestarts() {
        restartCount = 0;
    }
}
