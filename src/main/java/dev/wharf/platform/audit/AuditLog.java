package dev.wharf.platform.audit;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.team.TeamManagement;
import dev.wharf.platform.team.TeamRole;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.springframework.data.domain.Limit;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Slice;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/** Writes and reads the audit trail. Each write is its own transaction, so failures are kept too. */
@Service
public class AuditLog {

    public static final String SUCCESS = "success";
    public static final String FAILURE = "failure";
    static final int MAX_LIMIT = 1000;

    private final AuditRepository events;
    private final TeamManagement teams;
    private final Clock clock;

    AuditLog(AuditRepository events, TeamManagement teams, Clock clock) {
        this.events = events;
        this.teams = teams;
        this.clock = clock;
    }

    /** What happened; {@code status} is the HTTP status of the answer when there was one. */
    public record Entry(String actor, String authMethod, String tokenId, String action, String target, String team,
            String sourceAddress, String outcome, Integer status, String detail) {
    }

    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public void record(Entry entry) {
        events.save(new AuditEvent(clock.instant(), entry.actor(), entry.authMethod(), entry.tokenId(), entry.action(),
                entry.target(), entry.team(), entry.sourceAddress(), entry.outcome(), entry.status(), entry.detail()));
    }

    /** What the admin's audit page filters by; blank or null: any. {@code action} matches part of the action or target. */
    public record Filter(String team, String actor, String action, Instant since) {
    }

    /** Admins only: a page of events matching the filter, newest first; the slice says whether older ones follow. */
    @Transactional(readOnly = true)
    public Slice<AuditEvent> search(Caller caller, Filter filter, int page, int size) {
        caller.requireAdmin("search the audit log");
        String action = filter.action() == null ? "" : filter.action().strip().toLowerCase(java.util.Locale.ROOT)
                .replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
        return events.search(blankToEmpty(filter.team()), blankToEmpty(filter.actor()), "%" + action + "%",
                filter.since() == null ? Instant.EPOCH : filter.since(), PageRequest.of(Math.max(0, page), Math.max(1, Math.min(size, MAX_LIMIT))));
    }

    private static String blankToEmpty(String value) {
        return value == null ? "" : value.strip();
    }

    /** Newest first. Admins read everything; team owners read their team's events. */
    @Transactional(readOnly = true)
    public List<AuditEvent> read(Caller caller, String team, Instant since, int limit) {
        Instant from = since == null ? Instant.EPOCH : since;
        Limit max = Limit.of(Math.max(1, Math.min(limit, MAX_LIMIT)));
        if (team == null || team.isBlank()) {
            caller.requireAdmin("read the whole audit log; team owners can read their team's with ?team=NAME");
            return events.findByOccurredAtGreaterThanEqualOrderByIdDesc(from, max);
        }
        teams.require(caller, team, TeamRole.OWNER);
        return events.findByTeamAndOccurredAtGreaterThanEqualOrderByIdDesc(team, from, max);
    }
}
