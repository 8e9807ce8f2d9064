package dev.wharf.platform.workload;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.project.Project;
import dev.wharf.platform.project.ProjectManagement;
import dev.wharf.platform.team.Team;
import dev.wharf.platform.team.TeamManagement;
import dev.wharf.platform.team.TeamRole;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** What viewers read of a team's containers: one container, the list, and the list's keys (each a read-only transaction). */
@Component
class ContainerQueries {

    private final ContainerRepository containers;
    private final ContainerRows rows;
    private final TeamManagement teams;
    private final ProjectManagement projects;

    ContainerQueries(ContainerRepository containers, ContainerRows rows, TeamManagement teams, ProjectManagement projects) {
        this.containers = containers;
        this.rows = rows;
        this.teams = teams;
        this.projects = projects;
    }

    /** One read-only transaction for the access check and the rows (a list is the most frequent request). */
    @Transactional(readOnly = true)
    List<Container> list(Caller caller, String teamName, String projectName) {
        Team team = teams.require(caller, teamName, TeamRole.VIEWER).team();
        if (projectName == null || projectName.isBlank()) {
            return containers.listByTeam(team.getId());
        }
        return containers.listByTeamAndProject(team.getId(), projects.require(team, projectName).getId());
    }

    @Transactional(readOnly = true)
    ContainerManagement.Listing listing(Caller caller, String teamName, String projectName) {
        Team team = teams.require(caller, teamName, TeamRole.VIEWER).team();
        List<Container.Key> keys = projectName == null || projectName.isBlank() ? containers.keysByTeam(team.getId())
                : containers.keysByTeamAndProject(team.getId(), projects.require(team, projectName).getId());
        Map<Long, String> names = projects.namesById(keys.stream().map(Container.Key::projectId).filter(Objects::nonNull)
                .collect(Collectors.toSet()));
        return new ContainerManagement.Listing(keys, names);
    }

    /** Read-only copies of these containers' rows by id (those still there), for the keys of a listing. */
    @Transactional(readOnly = true)
    Map<String, Container> rows(List<String> ids) {
        Map<String, Container> rows = new HashMap<>();
        for (int from = 0; from < ids.size(); from += 500) { // bounded IN lists
            containers.copiesOf(ids.subList(from, Math.min(ids.size(), from + 500))).forEach(c -> rows.put(c.getId(), c));
        }
        return rows;
    }

    @Transactional(readOnly = true)
    Container get(Caller caller, String teamName, String name) {
        return rows.find(teams.require(caller, teamName, TeamRole.VIEWER).team(), name);
    }

    String projectName(Container container) {
        if (container.getProjectId() == null) {
            return null; // no transaction to find out
        }
        return projects.byId(container.getProjectId()).map(Project::getName).orElse(null);
    }

    long countByTeam(Team team) {
        return containers.countByTeamId(team.getId());
    }
}
