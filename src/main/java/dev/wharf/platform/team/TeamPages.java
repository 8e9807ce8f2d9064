package dev.wharf.platform.team;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.identity.UserManagement;
import dev.wharf.platform.node.NodeRegistry;
import dev.wharf.platform.team.TeamManagement.TeamAccess;
import dev.wharf.platform.web.PageActions;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/** Dashboard home, teams list and a team's page with its members. */
@Controller
class TeamPages {

    private final TeamManagement teams;
    private final UserManagement users;
    private final NodeRegistry nodes;

    TeamPages(TeamManagement teams, UserManagement users, NodeRegistry nodes) {
        this.teams = teams;
        this.users = users;
        this.nodes = nodes;
    }

    @GetMapping("/")
    String home(Caller caller, Model model) {
        model.addAttribute("teams", teams.list(caller).stream().filter(t -> t.role() != null || !caller.admin()).toList());
        model.addAttribute("baseUrl", ServletUriComponentsBuilder.fromCurrentContextPath().toUriString());
        model.addAttribute("nodes", caller.admin() ? nodes.nodes() : List.of());
        return "home";
    }

    @GetMapping("/teams")
    String list(Caller caller, Model model) {
        model.addAttribute("teams", teams.list(caller));
        return "teams";
    }

    @PostMapping("/teams")
    String create(Caller caller, @RequestParam String name, @RequestParam(required = false) String displayName,
            HttpServletRequest request, RedirectAttributes flash) {
        return PageActions.run(request, flash, "/teams/" + name, "/teams", () -> {
            teams.create(caller, name, displayName == null || displayName.isBlank() ? null : displayName);
            return "Team " + name + " created.";
        });
    }

    @GetMapping("/teams/{team}")
    String team(Caller caller, @PathVariable String team, Model model) {
        TeamAccess access = teams.require(caller, team, TeamRole.VIEWER);
        boolean canManage = caller.admin() || access.role() == TeamRole.OWNER;
        model.addAttribute("team", access.team());
        model.addAttribute("role", access.role());
        model.addAttribute("members", teams.members(caller, team));
        model.addAttribute("roles", List.of(TeamRole.values()));
        model.addAttribute("canManage", canManage);
        model.addAttribute("allUsers", caller.admin() ? users.list(caller) : null);
        return "team";
    }

    @PostMapping("/teams/{team}/members")
    String addMember(Caller caller, @PathVariable String team, @RequestParam String user, @RequestParam String role,
            HttpServletRequest request, RedirectAttributes flash) {
        return PageActions.run(request, flash, "/teams/" + team, () -> {
            teams.putMember(caller, team, user.strip(), TeamRole.parse(role));
            return user.strip() + " is now " + role + " of " + team + ".";
        });
    }

    @PostMapping("/teams/{team}/members/{user}/role")
    String changeRole(Caller caller, @PathVariable String team, @PathVariable String user, @RequestParam String role,
            HttpServletRequest request, RedirectAttributes flash) {
        return PageActions.run(request, flash, "/teams/" + team, () -> {
            teams.putMember(caller, team, user, TeamRole.parse(role));
            return user + " is now " + role + " of " + team + ".";
        });
    }

    @PostMapping("/teams/{team}/members/{user}/remove")
    String removeMember(Caller caller, @PathVariable String team, @PathVariable String user, HttpServletRequest request,
            RedirectAttributes flash) {
        return PageActions.run(request, flash, "/teams/" + team, () -> {
            teams.removeMember(caller, team, user);
            return user + " removed from " + team + ".";
        });
    }

    @PostMapping("/teams/{team}/delete")
    String delete(Caller caller, @PathVariable String team, HttpServletRequest request, RedirectAttributes flash) {
        return PageActions.run(request, flash, "/teams", "/teams/" + team, () -> {
            teams.delete(caller, team);
            return "Team " + team + " deleted.";
        });
    }
}
