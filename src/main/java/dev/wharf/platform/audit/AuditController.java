package dev.wharf.platform.audit;

import dev.wharf.platform.identity.Caller;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/audit")
@Tag(name = "Audit", description = "Who did what, when, from where")
class AuditController {

    private final AuditLog audit;

    AuditController(AuditLog audit) {
        this.audit = audit;
    }

    record AuditView(long id, Instant time, String actor, String authMethod, String tokenId, String action, String target,
            String team, Long teamId, String sourceAddress, String outcome, Integer status, String detail) {
        static AuditView of(AuditEvent e) {
            return new AuditView(e.getId(), e.getOccurredAt(), e.getActor(), e.getAuthMethod(), e.getTokenId(), e.getAction(),
                    e.getTarget(), e.getTeam(), e.getTeamId(), e.getSourceAddress(), e.getOutcome(), e.getStatus(), e.getDetail());
        }
    }

    @GetMapping
    @Operation(summary = "Audit events, newest first (admins: all; team owners: with ?team=)")
    List<AuditView> list(Caller caller,
            @Parameter(description = "only this team's events") @RequestParam(required = false) String team,
            @Parameter(description = "RFC 3339 time; only events at or after it") @RequestParam(required = false) Instant since,
            @Parameter(description = "at most this many events (1-1000)") @RequestParam(defaultValue = "100") int limit) {
        return audit.read(caller, team, since, limit).stream().map(AuditView::of).toList();
    }
}
