package dev.wharf.platform.project;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.team.Team;
import dev.wharf.platform.team.TeamManagement;
import dev.wharf.platform.team.TeamRole;
import dev.wharf.platform.web.Labels;
import dev.wharf.platform.web.Names;
import dev.wharf.platform.web.WharfException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** A team's projects: viewers read, members create and delete. */
@Service
public class ProjectManagement {

    private final ProjectRepository projects;
    private final TeamManagement teams;
    private final ObjectProvider<ProjectDeletion> deletion;
    private final Clock clock;

    ProjectManagement(ProjectRepository projects, TeamManagement teams, ObjectProvider<ProjectDeletion> deletion, Clock clock) {
        this.projects = projects;
        this.teams = teams;
        this.deletion = deletion;
        this.clock = clock;
    }

    @Transactional(readOnly = true)
    public List<Project> list(Caller caller, String team) {
        return projects.findByTeamIdOrderByNameAsc(teams.require(caller, team, TeamRole.VIEWER).team().getId());
    }

    @Transactional(readOnly = true)
    public Project get(Caller caller, String team, String name) {
        Team t = teams.require(caller, team, TeamRole.VIEWER).team();
        return find(t, name).orElseThrow(() -> notFound(team, name));
    }

    /** The team's project of that name, for other features (404 when there is none). */
    @Transactional(readOnly = true)
    public Project require(Team team, String name) {
        return find(team, name).orElseThrow(() -> notFound(team.getName(), name));
    }

    /** The names of these projects (those that exist), by id, in one query. */
    @Transactional(readOnly = true)
    public java.util.Map<Long, String> namesById(java.util.Collection<Long> ids) {
        java.util.Map<Long, String> names = new java.util.HashMap<>();
        if (!ids.isEmpty()) {
            projects.findAllById(ids).forEach(p -> names.put(p.getId(), p.getName()));
        }
        return names;
    }

    @Transactional(readOnly = true)
    public Optional<Project> byId(Long id) {
        return id == null ? Optional.empty() : projects.findById(id);
    }

    /** A new project with its labels ({@link Labels#check}); the labels never change afterwards. */
    @Transactional
    public Project create(Caller caller, String team, String name, Map<String, String> labels) {
        Team t = teams.require(caller, team, TeamRole.MEMBER).team();
        Names.requireDnsLabel("name", name);
        Map<String, String> checked = Labels.check("labels", labels);
        if (find(t, name).isPresent()) {
            throw WharfException.alreadyExists("team \"" + team + "\" already has a project \"" + name + "\"");
        }
        return projects.save(new Project(t.getId(), name, caller.name(), clock.instant(), checked));
    }

    @Transactional
    public void delete(Caller caller, String team, String name, boolean force) {
        Team t = teams.require(caller, team, TeamRole.MEMBER).team();
        Project project = find(t, name).orElseThrow(() -> notFound(team, name));
        deletion.ifAvailable(d -> d.beforeDelete(project, force, caller));
        projects.delete(project);
    }

    private Optional<Project> find(Team team, String name) {
        return projects.findByTeamIdAndName(team.getId(), name);
    }

    private static WharfException notFound(String team, String name) {
        return WharfException.notFound("team \"" + team + "\" has no project \"" + name + "\"");
    }
}
