package dev.wharf.platform.audit;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.Immutable;

/** One recorded action. Written once; the application never updates or deletes it. */
@Entity
@Immutable
@Table(name = "audit_events")
public class AuditEvent {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "occurred_at", nullable = false)
    private Instant occurredAt;

    @Column(nullable = false, length = 100)
    private String actor;

    @Column(name = "auth_method", length = 80)
    private String authMethod;

    @Column(name = "token_id", length = 36)
    private String tokenId;

    @Column(nullable = false, length = 200)
    private String action;

    @Column(length = 500)
    private String target;

    @Column(name = "team_name", length = 63)
    private String team;

    /** the team the event belongs to; {@code null}: the platform's (including refusals of callers outside the named team) */
    @Column(name = "team_id")
    private Long teamId;

    @Column(name = "source_address", length = 64)
    private String sourceAddress;

    @Column(nullable = false, length = 16)
    private String outcome;

    @Column(name = "http_status")
    private Integer status;

    @Column(length = 1000)
    private String detail;

    protected AuditEvent() {
    }

    AuditEvent(Instant occurredAt, String actor, String authMethod, String tokenId, String action, String target, String team,
            Long teamId, String sourceAddress, String outcome, Integer status, String detail) {
        this.occurredAt = occurredAt;
        this.actor = cut(actor, 100);
        this.authMethod = authMethod;
        this.tokenId = tokenId;
        this.action = cut(action, 200);
        this.target = cut(target, 500);
        this.team = team;
        this.teamId = teamId;
        this.sourceAddress = cut(sourceAddress, 64);
        this.outcome = outcome;
        this.status = status;
        this.detail = cut(detail, 1000);
    }

    private static String cut(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }

    public Long getId() { return id; }
    public Instant getOccurredAt() { return occurredAt; }
    public String getActor() { return actor; }
    public String getAuthMethod() { return authMethod; }
    public String getTokenId() { return tokenId; }
    public String getAction() { return action; }
    public String getTarget() { return target; }
    public String getTeam() { return team; }
    public Long getTeamId() { return teamId; }
    public String getSourceAddress() { return sourceAddress; }
    public String getOutcome() { return outcome; }
    public Integer getStatus() { return status; }
    public String getDetail() { return detail; }
}
