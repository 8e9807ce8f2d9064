package dev.wharf.platform.workload;

import com.fasterxml.jackson.annotation.JsonValue;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.PostLoad;
import jakarta.persistence.PostPersist;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Locale;
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

    @Column(nullable = false, length = 1_000_000)
    private String spec;

    private BigDecimal cpus;

    @Column(name = "memory_bytes")
    private Long memoryBytes;

    private Long pids;

    @Column(name = "restart_policy", nullable = false, length = 32)
    @Convert(converter = RestartPolicyColumn.class)
    private RestartPolicy restartPolicy;

    @Column(name = "desired_state", nullable = false, length = 16)
    @Convert(converter = DesiredStateColumn.class)
    private DesiredState desiredState;

    @Column(nullable = false, length = 16)
    @Convert(converter = StateColumn.class)
    private State state;

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

    /** {@code starting}, {@code healthy} or {@code unhealthy}; null without a health check or before its first start */
    @Column(name = "health_status", length = 16)
    private String healthStatus;

    @Column(name = "health_failing_streak", nullable = false)
    private int healthFailingStreak;

    /** the last probes as JSON ({@code [{start, end, exitCode, output}]}), oldest first */
    @Column(name = "health_log", length = 40000)
    private String healthLog;

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
            RestartPolicy restartPolicy, DesiredState desiredState, String createdBy, Instant createdAt) {
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
        this.state = State.CREATED;
        this.createdBy = createdBy;
        this.createdAt = createdAt;
        this.isNew = true;
    }

    /**
     * A read-only copy of a row, for lists (see {@code ContainerRepository.COPIES}): not managed,
     * so never saved; changes go through a loaded entity.
     */
    Container(String id, long version, Long teamId, Long projectId, String name, String image, String imageDigest, String spec,
            BigDecimal cpus, Long memoryBytes, Long pids, RestartPolicy restartPolicy, DesiredState desiredState, State state,
            String stateReason,
            Integer exitCode, boolean oomKilled, int restartCount, String node, String createdBy, Instant createdAt, Instant startedAt,
            Instant finishedAt, String ipAddress, long writableBytes, String healthStatus, int healthFailingStreak, String healthLog) {
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
        this.healthStatus = healthStatus;
        this.healthFailingStreak = healthFailingStreak;
        this.healthLog = healthLog;
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
    RestartPolicy getRestartPolicy() { return restartPolicy; }
    DesiredState getDesiredState() { return desiredState; }
    State getState() { return state; }
    String getStateReason() { return stateReason; }
    Integer getExitCode() { return exitCode; }
    boolean isOomKilled() { return oomKilled; }
    int getRestartCount() { return restartCount; }
    String getNode() { return node; }
    String getIpAddress() { return ipAddress; }
    long getWritableBytes() { return writableBytes; }
    String getHealthStatus() { return healthStatus; }
    int getHealthFailingStreak() { return healthFailingStreak; }
    String getHealthLog() { return healthLog; }
    String getCreatedBy() { return createdBy; }
    Instant getCreatedAt() { return createdAt; }
    Instant getStartedAt() { return startedAt; }
    Instant getFinishedAt() { return finishedAt; }

    void placed(String node, String imageDigest) {
        this.node = node;
        this.imageDigest = imageDigest;
    }

    void desire(DesiredState desiredState) {
        this.desiredState = desiredState;
    }

    void started(Instant at) {
        state = State.RUNNING;
        stateReason = null;
        startedAt = at;
        finishedAt = null;
        exitCode = null;
        oomKilled = false;
    }

    /** Whether the row already records a start at {@code at} (to the database's microsecond), so that start needs no write. */
    boolean saysStarted(Instant at) {
        return state == State.RUNNING && startedAt != null && at != null
                && startedAt.truncatedTo(java.time.temporal.ChronoUnit.MICROS).equals(at.truncatedTo(java.time.temporal.ChronoUnit.MICROS));
    }

    /** The address the node gave it on its team's network (null: none, e.g. not running). */
    void address(String ipAddress) {
        this.ipAddress = ipAddress;
    }

    /**
     * Whether the row records an exit at or after {@code startedAt}: the exit of the run that started then (or a later one),
     * so a report of that run as running is older than the row.
     */
    boolean exitedSince(Instant startedAt) {
        return state == State.EXITED && finishedAt != null && startedAt != null && !finishedAt.isBefore(startedAt);
    }

    /** The start of the run whose exit the row already records. */
    void ranFrom(Instant at) {
        if (startedAt == null || startedAt.isBefore(at)) {
            startedAt = at;
        }
    }

    void exited(Integer exitCode, boolean oomKilled, Instant at) {
        state = State.EXITED;
        ipAddress = null;
        this.exitCode = exitCode;
        this.oomKilled = oomKilled;
        finishedAt = at;
    }

    /** What the node's health check found: status, failures in a row and the last probes (JSON). */
    void health(String status, int failingStreak, String log) {
        this.healthStatus = status;
        this.healthFailingStreak = failingStreak;
        this.healthLog = log;
    }

    void state(State state, String reason) {
        this.state = state;
        this.stateReason = reason;
    }

    /** The platform stops it (its team is past a quota): it stays stopped, and says why, until someone starts it. */
    void stopping(String reason) {
        desiredState = DesiredState.STOPPED;
        stateReason = reason;
    }

    void restarting(String reason) {
        state = State.RESTARTING;
        stateReason = reason;
        restartCount++;
    }

    void resetRestarts() {
        restartCount = 0;
    }

    /** What the platform last saw of the container (docs/api.md), stored and shown as the lowercase word. */
    enum State {
        CREATED, RUNNING, EXITED, RESTARTING, REMOVING,
        /** its node lost it, is down or was removed: {@code stateReason} says which */
        UNKNOWN;

        @JsonValue
        String value() {
            return name().toLowerCase(Locale.ROOT);
        }

        @Override
        public String toString() {
            return value();
        }
    }

    /** What a person last asked for: {@code running} (created to start, or started) or {@code stopped}. */
    enum DesiredState {
        RUNNING, STOPPED;

        @JsonValue
        String value() {
            return name().toLowerCase(Locale.ROOT);
        }

        @Override
        public String toString() {
            return value();
        }
    }

    /** {@code state} holds {@link State#value()}. */
    static final class StateColumn implements AttributeConverter<State, String> {
        @Override
        public String convertToDatabaseColumn(State state) {
            return state == null ? null : state.value();
        }

        @Override
        public State convertToEntityAttribute(String value) {
            return value == null ? null : State.valueOf(value.toUpperCase(Locale.ROOT));
        }
    }

    /** {@code desired_state} holds {@link DesiredState#value()}. */
    static final class DesiredStateColumn implements AttributeConverter<DesiredState, String> {
        @Override
        public String convertToDatabaseColumn(DesiredState state) {
            return state == null ? null : state.value();
        }

        @Override
        public DesiredState convertToEntityAttribute(String value) {
            return value == null ? null : DesiredState.valueOf(value.toUpperCase(Locale.ROOT));
        }
    }

    /** {@code restart_policy} holds the policy as written ({@code on-failure:3}). */
    static final class RestartPolicyColumn implements AttributeConverter<RestartPolicy, String> {
        @Override
        public String convertToDatabaseColumn(RestartPolicy policy) {
            return policy == null ? null : policy.toString();
        }

        @Override
        public RestartPolicy convertToEntityAttribute(String value) {
            return value == null ? null : RestartPolicy.parse(value);
        }
    }
}
