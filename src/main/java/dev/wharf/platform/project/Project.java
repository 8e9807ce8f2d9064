package dev.wharf.platform.project;

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

/** A named group of a team's containers (an application: web, worker, db). */
@Entity
@Table(name = "projects")
public class Project {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "team_id", nullable = false)
    private Long teamId;

    @Column(nullable = false, length = 63)
    private String name;

    @Column(name = "created_by", nullable = false, length = 63)
    private String createdBy;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    /** set at create, never changed */
    @Column(nullable = false, length = 1_000_000, updatable = false)
    @Convert(converter = LabelsColumn.class)
    private Map<String, String> labels = Map.of();

    protected Project() {
    }

    Project(Long teamId, String name, String createdBy, Instant createdAt, Map<String, String> labels) {
        this.teamId = teamId;
        this.name = name;
        this.createdBy = createdBy;
        this.createdAt = createdAt;
        this.labels = labels;
    }

    public Long getId() { return id; }
    public Long getTeamId() { return teamId; }
    public String getName() { return name; }
    public String getCreatedBy() { return createdBy; }
    public Instant getCreatedAt() { return createdAt; }
    public Map<String, String> getLabels() { return labels; }
}
