package dev.wharf.platform.project;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.team.TeamManagement;
import dev.wharf.platform.team.TeamRole;
import dev.wharf.platform.web.ErrorCategory;
import dev.wharf.platform.web.PageActions;
import dev.wharf.platform.web.WharfException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Dashboard pages of a team's projects: the list with container counts, the create form, a
 * project's page (the team page's containers table, filtered to the project) and deleting one.
 * The rules are {@link ProjectManagement}'s; the containers' counts come from the workload ({@link ProjectContainers}).
 */
@Controller
class ProjectPages {

    private final ProjectManagement projects;
    private final ProjectContainers containers;
    private final TeamManagement teams;

    ProjectPages(ProjectManagement projects, ProjectContainers containers, TeamManagement teams) {
        this.projects = projects;
        this.containers = containers;
        this.teams = teams;
    }

    record ProjectRow(String name, long containers, String createdBy, java.time.Instant createdAt) {
    }

    @GetMapping("/teams/{team}/projects")
    String list(Caller caller, @PathVariable String team, Model model) {
        return list(caller, team, "", Map.of(), model);
    }

    private String list(Caller caller, String team, String name, Map<String, String> errors, Model model) {
        model.addAttribute("team", teams.require(caller, team, TeamRole.VIEWER).team());
        model.addAttribute("canOperate", teams.holds(caller, team, TeamRole.MEMBER));
        Map<String, Long> counts = containers.countByProject(caller, team);
        model.addAttribute("projects", projects.list(caller, team).stream()
                .map(p -> new ProjectRow(p.getName(), counts.getOrDefault(p.getName(), 0L), p.getCreatedBy(), p.getCreatedAt()))
                .toList());
        model.addAttribute("name", name);
        model.addAttribute("errors", errors);
        return "projects/list";
    }

    /** Creates a project; a refusal comes back at the name field (a duplicate name too) with the API's sentence. */
    @PostMapping("/teams/{team}/projects")
    String create(Caller caller, @PathVariable String team, @RequestParam(defaultValue = "") String name,
            HttpServletRequest request, HttpServletResponse response, RedirectAttributes flash, Model model) {
        String typed = name.strip();
        try {
            Project created = projects.create(caller, team, typed, Map.of());
            flash.addFlashAttribute("notice", "Project " + created.getName() + " created.");
            return "redirect:/teams/" + team + "/projects/" + created.getName();
        } catch (WharfException e) {
            PageActions.refused(request, response, e);
            Map<String, String> errors = e.category() == ErrorCategory.ALREADY_EXISTS ? Map.of("name", e.getMessage())
                    : PageActions.fieldErrors(e);
            if (errors.isEmpty()) {
                model.addAttribute("error", e.getMessage()); // not about the name: a missing role, say
            }
            return list(caller, team, typed, errors, model);
        }
    }

    @GetMapping("/teams/{team}/projects/{project}")
    String project(Caller caller, @PathVariable String team, @PathVariable String project, Model model) {
        Project p = projects.get(caller, team, project);
        model.addAttribute("team", teams.require(caller, team, TeamRole.VIEWER).team());
        model.addAttribute("teamName", team);
        model.addAttribute("project", p);
        model.addAttribute("canOperate", teams.holds(caller, team, TeamRole.MEMBER));
        return "projects/project";
    }

    /** Deletes a project; refused with the API's sentence while it has containers, unless "also delete its containers" is ticked. */
    @PostMapping("/teams/{team}/projects/{project}/delete")
    String delete(Caller caller, @PathVariable String team, @PathVariable String project,
            @RequestParam(defaultValue = "false") boolean force, HttpServletRequest request, RedirectAttributes flash) {
        return PageActions.run(request, flash, "/teams/" + team + "/projects", "/teams/" + team + "/projects/" + project, () -> {
            projects.delete(caller, team, project, force);
            return "Project " + project + " deleted.";
        });
    }
}
