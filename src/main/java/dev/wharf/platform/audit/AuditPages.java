package dev.wharf.platform.audit;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.web.WharfException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import org.springframework.data.domain.Slice;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** Admin: the audit log, filtered by team, actor, action text and time, newest first, 50 to a page. */
@Controller
class AuditPages {

    static final int PAGE_SIZE = 50;

    private final AuditLog audit;

    AuditPages(AuditLog audit) {
        this.audit = audit;
    }

    @GetMapping("/admin/audit")
    String audit(Caller caller, @RequestParam(defaultValue = "") String team, @RequestParam(defaultValue = "") String actor,
            @RequestParam(defaultValue = "") String action, @RequestParam(defaultValue = "") String since,
            @RequestParam(defaultValue = "0") int page, Model model) {
        caller.requireAdmin("read the audit log");
        Slice<AuditEvent> events = audit.search(caller, new AuditLog.Filter(team, actor, action, since(since)), page, PAGE_SIZE);
        model.addAttribute("events", events.getContent());
        model.addAttribute("page", Math.max(0, page));
        model.addAttribute("hasNext", events.hasNext());
        model.addAttribute("team", team);
        model.addAttribute("actor", actor);
        model.addAttribute("action", action);
        model.addAttribute("since", since);
        return "admin/audit";
    }

    /** The form's date ({@code 2026-05-01}, from midnight UTC) or date and time ({@code 2026-05-01T10:30}, UTC), or an instant. */
    static Instant since(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String value = text.strip();
        try {
            if (value.length() == 10) {
                return LocalDate.parse(value).atStartOfDay().toInstant(ZoneOffset.UTC);
            }
            if (value.endsWith("Z") || value.matches(".*[+-]\\d\\d:\\d\\d$")) {
                return Instant.parse(value);
            }
            return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw WharfException.invalidField("since", "since must be a date like 2026-05-01 or a time like 2026-05-01T10:30 (UTC)");
        }
    }
}
