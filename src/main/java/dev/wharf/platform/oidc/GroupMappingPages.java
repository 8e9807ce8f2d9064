package dev.wharf.platform.oidc;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.team.TeamManagement;
import dev.wharf.platform.web.PageActions;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** Admin: which identity provider groups give which team roles. Without a team, a group gives platform admin rights. */
@Controller
class GroupMappingPages {

    private final GroupMappings mappings;
    private final TeamManagement teams;

    GroupMappingPages(GroupMappings mappings, TeamManagement teams) {
        this.mappings = mappings;
        this.teams = teams;
    }

    @GetMapping("/admin/group-mappings")
    String list(Caller caller, Model model) {
        model.addAttribute("mappings", mappings.list(caller));
        model.addAttribute("teams", teams.list(caller));
        return "admin/group-mappings";
    }

    @PostMapping("/admin/group-mappings")
    String create(Caller caller, @RequestParam String group, @RequestParam(required = false) String team,
            @RequestParam(required = false) String role, HttpServletRequest request, RedirectAttributes flash) {
        boolean admin = team == null || team.isBlank();
        return PageActions.run(request, flash, "/admin/group-mappings", () -> {
            GroupMappings.View created = mappings.create(caller, group, admin ? null : team, admin ? null : role, admin);
            return created.admin() ? "Group " + group + " now gives platform admin rights."
                    : "Group " + group + " now gives the " + created.role().wire() + " role in team " + created.team() + ".";
        });
    }

    @PostMapping("/admin/group-mappings/{id}/delete")
    String delete(Caller caller, @PathVariable long id, HttpServletRequest request, RedirectAttributes flash) {
        return PageActions.run(request, flash, "/admin/group-mappings", () -> {
            mappings.delete(caller, id);
            return "Mapping removed; the memberships it gave go at each user's next login.";
        });
    }
}
