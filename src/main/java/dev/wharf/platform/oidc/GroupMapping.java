package dev.wharf.platform.oidc;

import dev.wharf.platform.team.TeamRole;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** An identity provider group that gives a role in a team, or platform admin rights. */
@Entity
@Table(name = "oidc_group_mappings")
class GroupMapping {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "group_name", nullable = false)
    private String group;

    /** {@code null} for a platform admin mapping; the team goes when its team is deleted */
    @Column(name = "team_id")
    private Long teamId;

    @Enumerated(EnumType.STRING)
    @Column(name = "team_role", length = 16)
    private TeamRole role;

    @Column(name = "platform_admin", nullable = false)
    private boolean admin;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    protected GroupMapping() {
    }

    GroupMapping(String group, Long teamId, TeamRole role, boolean admin, Instant createdAt) {
        this.group = group;
        this.teamId = teamId;
        this.role = role;
        this.admin = admin;
        this.createdAt = createdAt;
    }

    Long getId() {
        return id;
    }

    String getGroup() {
        return group;
    }

    Long getTeamId() {
        return teamId;
    }

    TeamRole getRole() {
        return role;
    }

    boolean isAdmin() {
        return admin;
    }

    Instant getCreatedAt() {
        return createdAt;
    }
}
