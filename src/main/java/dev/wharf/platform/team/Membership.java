package dev.wharf.platform.team;

import dev.wharf.platform.identity.UserAccount;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "memberships")
public class Membership {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @ManyToOne(fetch = FetchType.EAGER, optional = false)
    @JoinColumn(name = "team_id")
    private Team team;

    @ManyToOne(fetch = FetchType.EAGER, optional = false)
    @JoinColumn(name = "user_id")
    private UserAccount user;

    @Enumerated(EnumType.STRING)
    @Column(name = "team_role", nullable = false, length = 16)
    private TeamRole role;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    /** whether the user's identity provider groups gave it (see {@link TeamManagement#alignWithGroups}) */
    @Column(name = "from_groups", nullable = false)
    private boolean fromGroups;

    protected Membership() {
    }

    Membership(Team team, UserAccount user, TeamRole role, Instant createdAt) {
        this.team = team;
        this.user = user;
        this.role = role;
        this.createdAt = createdAt;
    }

    public Team getTeam() {
        return team;
    }

    public UserAccount getUser() {
        return user;
    }

    public TeamRole getRole() {
        return role;
    }

    void setRole(TeamRole role) {
        this.role = role;
    }

    public boolean isFromGroups() {
        return fromGroups;
    }

    void setFromGroups(boolean fromGroups) {
        this.fromGroups = fromGroups;
    }
}
