package dev.wharf.platform.volume;

import dev.wharf.platform.web.LabelsColumn;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Map;

/** A team volume: persistent files mounted into containers by name; its size counts against the storage quota. */
@Entity
@Table(name = "volumes")
public class Volume {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "team_id", nullable = false)
    private Long teamId;

    @Column(nullable = false, length = 63)
    private String name;

    @Column(name = "size_bytes", nullable = false)
    private long sizeBytes;

    @Column(nullable = false, length = 63)
    private String node;

    @Column(name = "created_by", nullable = false, length = 63)
    private String createdBy;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    /** set at create, never changed */
    @Column(nullable = false, length = 1_000_000, updatable = false)
    @Convert(converter = LabelsColumn.class)
    private Map<String, String> labels = Map.of();

    protected Volume() {
    }

    Volume(Long teamId, String name, long sizeBytes, String node, String createdBy, Instant createdAt, Map<String, String> labels) {
        this.teamId = teamId;
        this.name = name;
        this.sizeBytes = sizeBytes;
        this.node = node;
        this.createdBy = createdBy;
        this.createdAt = createdAt;
        this.labels = labels;
    }

    public Long getTeamId() { return teamId; }
    public String getName() { return name; }
    public long getSizeBytes() { return sizeBytes; }
    public String getNode() { return node; }
    public String getCreatedBy() { return createdBy; }
    public Instant getCreatedAt() { return createdAt; }
    public Map<String, String> getLabels() { return labels; }
}
