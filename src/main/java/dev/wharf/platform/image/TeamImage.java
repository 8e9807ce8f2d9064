package dev.wharf.platform.image;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** An image in a team's catalogue: a name the team pulled or imported, and the digest it resolved to. */
@Entity
@Table(name = "team_images")
public class TeamImage {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "team_id", nullable = false)
    private Long teamId;

    @Column(nullable = false, length = 500)
    private String reference;

    @Column(nullable = false, length = 71)
    private String digest;

    @Column(name = "size_bytes", nullable = false)
    private long sizeBytes;

    @Column(name = "added_by", nullable = false, length = 63)
    private String addedBy;

    @Column(name = "added_at", nullable = false)
    private Instant addedAt;

    protected TeamImage() {
    }

    TeamImage(Long teamId, String reference, String digest, long sizeBytes, String addedBy, Instant addedAt) {
        this.teamId = teamId;
        this.reference = reference;
        this.digest = digest;
        this.sizeBytes = sizeBytes;
        this.addedBy = addedBy;
        this.addedAt = addedAt;
    }

    void update(String digest, long sizeBytes, String addedBy, Instant addedAt) {
        this.digest = digest;
        this.sizeBytes = sizeBytes;
        this.addedBy = addedBy;
        this.addedAt = addedAt;
    }

    public Long getId() { return id; }
    public Long getTeamId() { return teamId; }
    public String getReference() { return reference; }
    public String getDigest() { return digest; }
    public long getSizeBytes() { return sizeBytes; }
    public String getAddedBy() { return addedBy; }
    public Instant getAddedAt() { return addedAt; }
}
