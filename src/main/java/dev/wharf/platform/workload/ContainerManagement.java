package dev.wharf.platform.workload;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.project.Project;
import dev.wharf.platform.project.ProjectContainers;
import dev.wharf.platform.project.ProjectDeletion;
import dev.wharf.platform.team.Team;
import dev.wharf.platform.team.TeamDeletionGuard;
import dev.wharf.platform.volume.VolumeMounters;
import dev.wharf.platform.web.WharfException;
import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.ContainerStats;
import dev.wharf.runtime.api.ExecResult;
import dev.wharf.runtime.api.LogLine;
import dev.wharf.runtime.api.LogQuery;
import dev.wharf.runtime.api.RuntimeService;
import dev.wharf.runtime.api.TerminalSession;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.springframework.stereotype.Service;

/**
 * A team's containers, the one entry point of the workload feature's rules: create
 * ({@link ContainerCreation}: admission, image, runtime, all or nothing), lifecycle commands
 * ({@link ContainerCommands}), reads ({@link ContainerQueries}) and the rows' writer
 * ({@link ContainerRows}). Viewers read; members operate.
 */
@Service
public class ContainerManagement implements TeamDeletionGuard, ProjectDeletion, ProjectContainers, VolumeMounters {

    private final ContainerCreation creation;
    private final ContainerCommands commands;
    private final ContainerQueries queries;
    private final ContainerRows rows;

    ContainerManagement(ContainerCreation creation, ContainerCommands commands, ContainerQueries queries, ContainerRows rows) {
        this.creation = creation;
        this.commands = commands;
        this.queries = queries;
        this.rows = rows;
    }

    /**
     * What was stored of a request beside the columns: the command and environment as asked for, its
     * labels (checked) and run options. Rows written before a field existed read it as null.
     */
    record StoredSpec(List<String> command, Map<String, String> env, String workingDir, String user,
            List<ContainerRequest.VolumeRequest> volumes, String network, List<ContainerRequest.PortRequest> ports,
            List<String> entrypoint, Map<String, String> labels, ContainerRequest.HealthcheckRequest healthcheck, Integer stopTimeout,
            Boolean init, List<ContainerRequest.TmpfsRequest> tmpfs, Boolean readOnlyRootfs) {

        Map<String, String> labelsOrNone() {
            return labels == null ? Map.of() : labels;
        }

        /** Seconds a stop waits before it kills. */
        int stopTimeoutOrDefault() {
            return stopTimeout == null ? ContainerRequestValidation.DEFAULT_STOP_TIMEOUT : stopTimeout;
        }
    }

    public record PullView(String reference, long bytesDone, long bytesTotal) {
    }

    /** A list as keys (by name) and the names of their projects: what says whether views made earlier still hold. */
    record Listing(List<Container.Key> keys, Map<Long, String> projectNames) {
    }

    /** See {@link ContainerCreation#create}. */
    Container create(Caller caller, String teamName, ContainerRequest request) {
        return creation.create(caller, teamName, request);
    }

    /** Whether a request is starting the container and records the start itself. */
    boolean isObserving(String id) {
        return rows.isObserving(id);
    }

    List<Container> list(Caller caller, String teamName, String projectName) {
        return queries.list(caller, teamName, projectName);
    }

    Listing listing(Caller caller, String teamName, String projectName) {
        return queries.listing(caller, teamName, projectName);
    }

    /** Read-only copies of these containers' rows by id (those still there), for the keys of a {@link Listing}. */
    Map<String, Container> rows(List<String> ids) {
        return queries.rows(ids);
    }

    Container get(Caller caller, String teamName, String name) {
        return queries.get(caller, teamName, name);
    }

    /** Whether a pull the container waits for is in progress (its view then shows the pull's progress). */
    boolean isPulling(String id) {
        return creation.isPulling(id);
    }

    /** Whether any container of any team waits for a pull here (views made earlier may then lack its progress). */
    boolean anyPulling() {
        return creation.anyPulling();
    }

    Optional<PullView> pullOf(Container container) {
        return creation.pullOf(container);
    }

    String projectName(Container container) {
        return queries.projectName(container);
    }

    Container start(Caller caller, String teamName, String name) {
        return commands.start(caller, teamName, name);
    }

    Container stop(Caller caller, String teamName, String name, Duration timeout) {
        return commands.stop(caller, teamName, name, timeout);
    }

    Container restart(Caller caller, String teamName, String name, Duration timeout) {
        return commands.restart(caller, teamName, name, timeout);
    }

    void kill(Caller caller, String teamName, String name, String signal) {
        commands.kill(caller, teamName, name, signal);
    }

    void delete(Caller caller, String teamName, String name, boolean force) {
        commands.delete(caller, teamName, name, force);
    }

    /** The container's log; a followed one holds one of the caller's sessions ({@link SessionLimits}) until the stream is closed. */
    Stream<LogLine> logs(Caller caller, String teamName, String name, LogQuery query) {
        return commands.logs(caller, get(caller, teamName, name), teamName, query);
    }

    ContainerStats stats(Caller caller, String teamName, String name) {
        Container container = get(caller, teamName, name);
        return rows.runtime(container).stats(container.getId());
    }

    /** Runs a command in the container and waits for it, holding one of the caller's sessions ({@link SessionLimits}) meanwhile. */
    ExecResult exec(Caller caller, String teamName, String name, List<String> command, Integer timeoutSeconds) {
        return commands.exec(caller, teamName, name, command, timeoutSeconds);
    }

    /**
     * Whether the caller may open a terminal on the container now (a member, with a session free);
     * refuses as {@link #terminal} would, and starts nothing.
     */
    void checkTerminal(Caller caller, String teamName, String name) {
        commands.checkTerminal(caller, teamName, name);
    }

    /** Starts a shell on a terminal in the container; it holds one of the caller's sessions until closed. */
    TerminalSession terminal(Caller caller, String teamName, String name, int cols, int rows) {
        return commands.terminal(caller, teamName, name, cols, rows);
    }

    @Override
    public Map<String, Long> countByProject(Caller caller, String team) {
        return list(caller, team, null).stream().map(this::projectName).filter(java.util.Objects::nonNull)
                .collect(java.util.stream.Collectors.groupingBy(java.util.function.Function.identity(), java.util.stream.Collectors.counting()));
    }

    @Override
    public Map<String, String> containerNames(Caller caller, String team) {
        return list(caller, team, null).stream().collect(java.util.stream.Collectors.toMap(Container::getId, Container::getName));
    }

    @Override
    public void checkDeletable(Team team) {
        long count = queries.countByTeam(team);
        if (count > 0) {
            throw WharfException.conflict("team \"" + team.getName() + "\" still has " + count + " container(s); delete them first");
        }
    }

    @Override
    public void beforeDelete(Project project, boolean force, Caller caller) {
        commands.beforeDelete(project, force);
    }

    /**
     * Writes what the node reports into the row (the same facts the event stream brings, so the
     * two may arrive in any order). A pending restart is the reconciler's to finish.
     */
    Container observe(String id, ContainerInfo info) {
        return rows.observe(id, info, row -> { });
    }

    /** As {@link #observe(String, ContainerInfo)}, with one more change to the row in the same transaction. */
    Container observe(String id, ContainerInfo info, Consumer<Container> also) {
        return rows.observe(id, info, also);
    }

    /** See {@link ContainerRows#update}. */
    Container update(String id, Consumer<Container> change) {
        return rows.update(id, change);
    }

    /** The runtime of the node the container is placed on (503 when that node is down). */
    RuntimeService runtime(Container container) {
        return rows.runtime(container);
    }

    Instant now() {
        return rows.now();
    }
}
