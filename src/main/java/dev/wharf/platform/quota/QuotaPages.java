package dev.wharf.platform.quota;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.node.NodeRegistry;
import dev.wharf.platform.team.TeamManagement;
import dev.wharf.platform.web.PageActions;
import dev.wharf.platform.web.WharfException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** Admin: every team's quota and usage at a glance, editing a team's limits, and the nodes. */
@Controller
class QuotaPages {

    private final QuotaAdmission quotas;
    private final TeamManagement teams;
    private final NodeRegistry nodes;

    QuotaPages(QuotaAdmission quotas, TeamManagement teams, NodeRegistry nodes) {
        this.quotas = quotas;
        this.teams = teams;
        this.nodes = nodes;
    }

    /** A team's row: its bars, and its limits as the edit form shows them (empty = unlimited). */
    record TeamQuotaRow(String name, String displayName, List<QuotaBar> bars, String cpus, String memory, String pids,
            String containers, String storage, boolean outbound) {
    }

    @GetMapping("/admin/teams")
    String list(Caller caller, Model model) {
        caller.requireAdmin("see every team's quota");
        model.addAttribute("teams", teams.list(caller).stream().map(access -> {
            QuotaAdmission.QuotaView view = quotas.view(caller, access.team().getName());
            QuotaAdmission.Amounts l = view.limits();
            return new TeamQuotaRow(access.team().getName(), access.team().getDisplayName(), QuotaBar.of(view),
                    l.cpus() == null ? "" : QuotaBar.cpus(l.cpus()), l.memory() == null ? "" : QuotaBar.bytes(l.memory()),
                    l.pids() == null ? "" : l.pids().toString(), l.containers() == null ? "" : l.containers().toString(),
                    l.storage() == null ? "" : QuotaBar.bytes(l.storage()), view.outbound());
        }).toList());
        model.addAttribute("nodes", nodes.nodes());
        return "admin/teams";
    }

    @PostMapping("/admin/teams/{team}/quota")
    String setLimits(Caller caller, @PathVariable String team, @RequestParam(required = false) String cpus,
            @RequestParam(required = false) String memory, @RequestParam(required = false) String pids,
            @RequestParam(required = false) String containers, @RequestParam(required = false) String storage,
            @RequestParam(required = false) Boolean outbound, HttpServletRequest request, RedirectAttributes flash) {
        return PageActions.run(request, flash, "/admin/teams", () -> {
            QuotaController.LimitsRequest limits = new QuotaController.LimitsRequest(number("cpus", cpus), blankToNull(memory),
                    count("pids", pids), count("containers", containers), blankToNull(storage), outbound);
            quotas.setLimits(caller, team, limits.amounts(), outbound);
            return "Quota of " + team + " saved.";
        });
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static Double number(String field, String value) {
        try {
            return blankToNull(value) == null ? null : Double.valueOf(value.strip());
        } catch (NumberFormatException e) {
            throw WharfException.invalidField(field, field + " must be a number, like 2 or 0.5; empty for unlimited");
        }
    }

    private static Long count(String field, String value) {
        try {
            return blankToNull(value) == null ? null : Long.valueOf(value.strip());
        } catch (NumberFormatException e) {
            throw WharfException.invalidField(field, field + " must be a whole number; empty for unlimited");
        }
    }
}
