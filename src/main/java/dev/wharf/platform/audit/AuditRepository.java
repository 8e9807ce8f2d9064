package dev.wharf.platform.audit;

import java.time.Instant;
import java.util.List;
import org.springframework.data.domain.Limit;
import org.springframework.data.repository.Repository;

/** Append-only: there is deliberately no update or delete here. */
interface AuditRepository extends Repository<AuditEvent, Long> {

    AuditEvent save(AuditEvent event);

    List<AuditEvent> findByOccurredAtGreaterThanEqualOrderByIdDesc(Instant since, Limit limit);

    List<AuditEvent> findByTeamAndOccurredAtGreaterThanEqualOrderByIdDesc(String team, Instant since, Limit limit);
}
