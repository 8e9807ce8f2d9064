package dev.wharf.platform.audit;

import java.time.Instant;
import java.util.List;
import org.springframework.data.domain.Limit;
import org.springframework.data.domain.Pageable;
import org.springframework.data.domain.Slice;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.Repository;

/** Append-only: there is deliberately no update or delete here. */
interface AuditRepository extends Repository<AuditEvent, Long> {

    AuditEvent save(AuditEvent event);

    List<AuditEvent> findByOccurredAtGreaterThanEqualOrderByIdDesc(Instant since, Limit limit);

    List<AuditEvent> findByTeamIdAndOccurredAtGreaterThanEqualOrderByIdDesc(Long teamId, Instant since, Limit limit);

    /** Newest first; an empty team or actor matches any, {@code action} is a lower-case LIKE pattern on the action or target. */
    @Query("""
            select e from AuditEvent e
            where (:team = '' or e.team = :team) and (:actor = '' or e.actor = :actor)
              and (lower(e.action) like :action escape '\\' or lower(e.target) like :action escape '\\') and e.occurredAt >= :since
            order by e.id desc""")
    Slice<AuditEvent> search(String team, String actor, String action, Instant since, Pageable page);
}
