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

    /** how long a reader waits at most for the events of answers already sent (a lost ticket must not stall the log) */
    private static final java.time.Duration AWAIT_ANSWERED = java.time.Duration.ofSeconds(5);

    private final AuditRepository events;
    private final TeamManagement teams;
    private final Clock clock;
    /** answers written before their audit event (see {@link #answering}): ticket → when */
    private final java.util.concurrent.ConcurrentSkipListMap<Long, Long> unwritten = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final java.util.concurrent.atomic.AtomicLong lastTicket = new java.util.concurrent.atomic.AtomicLong();

    AuditLog(AuditRepository events, TeamManagement teams, Clock clock) {
        this.events = events;
        this.teams = teams;
        this.clock = clock;
    }

    /**
     * What happened; {@code status} is the HTTP status of the answer when there was one. {@code teamId} is
     * the team the event belongs to (its owners read it); {@code team} is that team's name at the time.
     * Both are {@code null} for the platform's events, which only admins read: an event must name a team
     * only when the caller acted as one of its members (or as an admin).
     */
    public record Entry(String actor, String authMethod, String tokenId, String action, String target, String team, Long teamId,
            String sourceAddress, String outcome, Integer status, String detail) {

        /** An event of the team that has the name {@code team} when it is written (the caller must be one of its members). */
        public Entry(String actor, String authMethod, String tokenId, String action, String target, String team,
                String sourceAddress, String outcome, Integer status, String detail) {
            this(actor, authMethod, tokenId, action, target, team, null, sourceAddress, outcome, status, detail);
        }
    }

    /**
     * Left as a request attribute ({@link #ATTRIBUTE}) by a feature whose caller acts in a team that the
     * route does not name (the Docker API, where a client certificate stands for a user in one team,
     * checked before the request ran): the request's event belongs to that team, and records
     * {@code authMethod} ({@code docker}) and the credential's id in place of a token's.
     */
    public record Acting(long teamId, String team, String authMethod, String credentialId) {
        public static final String ATTRIBUTE = Acting.class.getName();
    }

    /**
     * A mutating request's answer is about to be written, and may reach its client before the request's
     * event is written (an answer of known length is complete for the client once sent): until
     * {@link #written} is called with the ticket, readers of the log wait for it, so a client that got
     * its answer always finds the event.
     */
    long answering() {
        long ticket = lastTicket.incrementAndGet();
        unwritten.put(ticket, System.nanoTime());
        return ticket;
    }

    /** The event of the answer with this ticket is written, or could not be (and was logged). */
    void written(long ticket) {
        unwritten.remove(ticket);
    }

    /** Waits until the events of every answer sent before now are written (at most {@link #AWAIT_ANSWERED}). */
    private void awaitAnswered() {
        long upTo = lastTicket.get();
        long deadline = System.nanoTime() + AWAIT_ANSWERED.toNanos();
        for (var first = unwritten.firstEntry(); first != null && first.getKey() <= upTo; first = unwritten.firstEntry()) {
            if (System.nanoTime() - first.getValue() > AWAIT_ANSWERED.toNanos()) {
                unwritten.remove(first.getKey()); // its request never finished as it should: not worth waiting for
            } else if (System.nanoTime() > deadline) {
                return;
            } else {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public void record(Entry entry) {
        Long teamId = entry.teamId() != null || entry.team() == null ? entry.teamId() : teams.idOf(entry.team()).orElse(null);
        events.save(new AuditEvent(clock.instant(), entry.actor(), entry.authMethod(), entry.tokenId(), entry.action(),
                entry.target(), teamId == null ? null : entry.team(), teamId, entry.sourceAddress(), entry.outcome(), entry.status(),
                entry.detail()));
    }

    /** What the admin's audit page filters by; blank or null: any. {@code action} matches part of the action or target. */
    public record Filter(String team, String actor, String action, Instant since) {
    }

    /** Admins only: a page of events matching the filter, newest first; the slice says whether older ones follow. */
    @Transactional(readOnly = true)
    public Slice<AuditEvent> search(Caller caller, Filter filter, int page, int size) {
        caller.requireAdmin("search the audit log");
        awaitAnswered();
        String action = filter.action() == null ? "" : filter.action().strip().toLowerCase(java.util.Locale.ROOT)
                .replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
        return events.search(blankToEmpty(filter.team()), blankToEmpty(filter.actor()), "%" + action + "%",
                filter.since() == null ? Instant.EPOCH : filter.since(), PageRequest.of(Math.max(0, page), Math.max(1, Math.min(size, MAX_LIMIT))));
    }

    private static String blankToEmpty(String value) {
        return value == null ? "" : value.strip();
    }

    /**
     * Newest first. Admins read everything; team owners read their team's events: those of this team,
     * by its id, never those of an earlier team of the same name nor refusals of callers outside it.
     */
    @Transactional(readOnly = true)
    public List<AuditEvent> read(Caller caller, String team, Instant since, int limit) {
        awaitAnswered();
        Instant from = since == null ? Instant.EPOCH : since;
        Limit max = Limit.of(Math.max(1, Math.min(limit, MAX_LIMIT)));
        if (team == null || team.isBlank()) {
            caller.requireAdmin("read the whole audit log; team owners can read their team's with ?team=NAME");
            return events.findByOccurredAtGreaterThanEqualOrderByIdDesc(from, max);
        }
        long teamId = teams.require(caller, team, TeamRole.OWNER).team().getId();
        return events.findByTeamIdAndOccurredAtGreaterThanEqualOrderByIdDesc(teamId, from, max);
    }
}
