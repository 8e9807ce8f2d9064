package dev.wharf.platform.workload;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.node.NodeRegistry;
import dev.wharf.platform.project.Project;
import dev.wharf.platform.quota.QuotaAdmission;
import dev.wharf.platform.team.TeamManagement;
import dev.wharf.platform.team.TeamRole;
import dev.wharf.platform.web.WharfException;
import dev.wharf.runtime.api.ExecResult;
import dev.wharf.runtime.api.ExecSpec;
import dev.wharf.runtime.api.LogLine;
import dev.wharf.runtime.api.LogQuery;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeService;
import dev.wharf.runtime.api.Signals;
import dev.wharf.runtime.api.TerminalSession;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * What members do to a container once it exists: start, stop, restart, kill, delete, exec and a
 * terminal (the last two and followed logs hold one of the caller's sessions, {@link SessionLimits}).
 * The desired state is written before the node is asked, so the reconciler never undoes a command.
 * A stop or restart waits the container's {@code stopTimeout} unless the caller gives a timeout; a
 * delete with force kills at once, as {@code docker rm -f} does (stop first for a graceful end).
 */
@Component
class ContainerCommands {

    private final ContainerRepository containers;
    private final ContainerRows rows;
    private final SessionLimits sessions;
    private final TeamManagement teams;
    private final QuotaAdmission quotas;
    private final NodeRegistry nodes;
    private final JsonMapper json;

    ContainerCommands(ContainerRepository containers, ContainerRows rows, SessionLimits sessions, TeamManagement teams,
            QuotaAdmission quotas, NodeRegistry nodes, JsonMapper json) {
        this.containers = containers;
        this.rows = rows;
        this.sessions = sessions;
        this.teams = teams;
        this.quotas = quotas;
        this.nodes = nodes;
        this.json = json;
    }

    Container start(Caller caller, String teamName, String name) {
        Container container = operable(caller, teamName, name);
        quotas.requireStorageWithinQuota(teams.byId(container.getTeamId())); // a container the storage meter stopped stays stopped
        rows.update(container.getId(), row -> {
            row.desire(Container.DesiredState.RUNNING);
            row.resetRestarts();
        });
        RuntimeService node = rows.runtime(container);
        rows.observing(container.getId());
        try {
            node.start(container.getId());
            return rows.observe(container.getId(), node.inspect(container.getId()), row -> { });
        } finally {
            rows.observed(container.getId());
        }
    }

    /** Stops with the stop signal, then KILL after {@code timeout}, or when null after the container's own {@code stopTimeout}. */
    Container stop(Caller caller, String teamName, String name, Duration timeout) {
        Container container = operable(caller, teamName, name);
        rows.update(container.getId(), row -> row.desire(Container.DesiredState.STOPPED));
        Duration wait = timeout != null ? timeout : stopTimeout(container);
        return rows.observe(container.getId(), rows.runtime(container).stop(container.getId(), wait), row -> { });
    }

    /** How long a stop of the container waits before it kills, as its request said ({@code stopTimeout}, 10 s by default). */
    Duration stopTimeout(Container container) {
        return Duration.ofSeconds(json.readValue(container.getSpec(), ContainerManagement.StoredSpec.class).stopTimeoutOrDefault());
    }

    Container restart(Caller caller, String teamName, String name, Duration timeout) {
        stop(caller, teamName, name, timeout);
        return start(caller, teamName, name);
    }

    void kill(Caller caller, String teamName, String name, String signal) {
        Container container = operable(caller, teamName, name);
        String normalized;
        try {
            normalized = Signals.normalize(signal);
        } catch (RuntimeFailure e) {
            throw WharfException.invalidField("signal", e.getMessage());
        }
        rows.runtime(container).kill(container.getId(), normalized);
    }

    void delete(Caller caller, String teamName, String name, boolean force) {
        Container container = operable(caller, teamName, name);
        if (!force && (container.getState() == Container.State.RUNNING || container.getState() == Container.State.RESTARTING)) {
            throw WharfException.conflict("container \"" + name + "\" is " + container.getState().value()
                    + "; stop it first or delete with force=true");
        }
        remove(container);
    }

    /** Deletes a project's containers with it ({@code force}), or refuses while it has any. */
    void beforeDelete(Project project, boolean force) {
        List<Container> inProject = containers.findByProjectId(project.getId());
        if (!inProject.isEmpty() && !force) {
            throw WharfException.conflict("project \"" + project.getName() + "\" has " + inProject.size()
                    + " container(s); delete them first or use force=true");
        }
        inProject.forEach(this::remove);
    }

    private void remove(Container container) {
        rows.update(container.getId(), row -> row.state(Container.State.REMOVING, null));
        if (nodes.isJoined(container.getNode())) { // a removed node's containers went with it
            try {
                rows.runtime(container).remove(container.getId(), true);
            } catch (RuntimeFailure e) {
                if (e.kind() != RuntimeFailure.Kind.NOT_FOUND) {
                    throw e;
                }
            }
        }
        containers.deleteRow(container.getId());
    }

    /** The container's log; a followed one holds one of the caller's sessions until the stream is closed. */
    Stream<LogLine> logs(Caller caller, Container container, String teamName, LogQuery query) {
        if (!query.follow()) {
            return rows.runtime(container).logs(container.getId(), query);
        }
        SessionLimits.Slot slot = sessions.acquire(caller, container.getTeamId(), teamName, SessionLimits.Kind.LOG_STREAM);
        try {
            return rows.runtime(container).logs(container.getId(), query).onClose(slot::close);
        } catch (RuntimeException e) {
            slot.close();
            throw e;
        }
    }

    /** Runs a command in the container and waits for it, holding one of the caller's sessions meanwhile. */
    ExecResult exec(Caller caller, String teamName, String name, List<String> command, Integer timeoutSeconds) {
        Container container = operable(caller, teamName, name);
        try (SessionLimits.Slot slot = sessions.acquire(caller, container.getTeamId(), teamName, SessionLimits.Kind.EXEC)) {
            return rows.runtime(container).exec(container.getId(), new ExecSpec(command, null, null,
                    timeoutSeconds == null ? null : Duration.ofSeconds(timeoutSeconds)));
        } catch (RuntimeFailure e) {
            if (e.kind() == RuntimeFailure.Kind.INVALID_ARGUMENT) {
                throw WharfException.invalidField("command", e.getMessage());
            }
            throw e;
        }
    }

    /** Whether the caller may open a terminal on the container now (a member, with a session free); starts nothing. */
    void checkTerminal(Caller caller, String teamName, String name) {
        Container container = operable(caller, teamName, name);
        sessions.check(caller, container.getTeamId(), teamName, SessionLimits.Kind.TERMINAL);
    }

    /** Starts a shell on a terminal in the container; it holds one of the caller's sessions until closed. */
    TerminalSession terminal(Caller caller, String teamName, String name, int cols, int rows) {
        Container container = operable(caller, teamName, name);
        SessionLimits.Slot slot = sessions.acquire(caller, container.getTeamId(), teamName, SessionLimits.Kind.TERMINAL);
        try {
            return slot.heldBy(this.rows.runtime(container).openTerminal(container.getId(), List.of("/bin/sh"), cols, rows));
        } catch (RuntimeException e) {
            slot.close();
            throw e;
        }
    }

    private Container operable(Caller caller, String teamName, String name) {
        return rows.find(teams.require(caller, teamName, TeamRole.MEMBER).team(), name);
    }
}
