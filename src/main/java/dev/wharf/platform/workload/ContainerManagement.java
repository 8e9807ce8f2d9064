package dev.wharf.platform.workload;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.image.ImageCatalogue;
import dev.wharf.platform.image.PullTracker;
import dev.wharf.platform.node.NodeRegistry;
import dev.wharf.platform.volume.VolumeManagement;
import dev.wharf.platform.project.Project;
import dev.wharf.platform.project.ProjectDeletion;
import dev.wharf.platform.project.ProjectManagement;
import dev.wharf.platform.quota.QuotaAdmission;
import dev.wharf.platform.team.Team;
import dev.wharf.platform.team.TeamDeletionGuard;
import dev.wharf.platform.team.TeamManagement;
import dev.wharf.platform.team.TeamRole;
import dev.wharf.platform.web.Quantities;
import dev.wharf.platform.web.WharfException;
import dev.wharf.runtime.api.ContainerDefaults;
import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.ContainerState;
import dev.wharf.runtime.api.ContainerStats;
import dev.wharf.runtime.api.ExecResult;
import dev.wharf.runtime.api.ExecSpec;
import dev.wharf.runtime.api.HostPortRange;
import dev.wharf.runtime.api.ImageInfo;
import dev.wharf.runtime.api.LogLine;
import dev.wharf.runtime.api.LogQuery;
import dev.wharf.runtime.api.NetworkSpec;
import dev.wharf.runtime.api.PortMapping;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeService;
import dev.wharf.runtime.api.Signals;
import dev.wharf.runtime.api.TeamLimits;
import dev.wharf.runtime.api.TerminalSession;
import dev.wharf.runtime.api.VolumeMount;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * A team's containers: create (admission, image, runtime) with all-or-nothing failure
 * handling, lifecycle commands, logs, stats and exec. Viewers read; members operate.
 */
@Service
public class ContainerManagement implements TeamDeletionGuard, ProjectDeletion {

    private static final Logger log = LoggerFactory.getLogger(ContainerManagement.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ContainerRepository containers;
    private final SessionLimits sessions;
    private final TeamManagement teams;
    private final ProjectManagement projects;
    private final QuotaAdmission quotas;
    private final ImageCatalogue images;
    private final NodeRegistry nodes;
    private final VolumeManagement volumes;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final HostPortRange hostPorts;
    private final SecureRandom random = new SecureRandom();
    /** pulls that containers are waiting for, by container id, so their progress shows on the container */
    private final Map<String, PullTracker.Pull> pulling = new ConcurrentHashMap<>();
    /** containers a request is starting and will write the outcome of itself (the reconciler leaves their start events alone) */
    private final java.util.Set<String> observing = ConcurrentHashMap.newKeySet();

    ContainerManagement(ContainerRepository containers, SessionLimits sessions, TeamManagement teams, ProjectManagement projects,
            QuotaAdmission quotas,
            ImageCatalogue images, NodeRegistry nodes, VolumeManagement volumes, TransactionTemplate tx,
            Clock clock, @org.springframework.beans.factory.annotation.Value("${wharf.network.host-ports:1024-65535}") String hostPorts) {
        this.containers = containers;
        this.sessions = sessions;
        this.teams = teams;
        this.projects = projects;
        this.quotas = quotas;
        this.images = images;
        this.nodes = nodes;
        this.volumes = volumes;
        this.tx = tx;
        this.clock = clock;
        this.hostPorts = HostPortRange.parse(hostPorts);
    }

    /** What was stored of a request beside the columns: the command and environment as asked for. */
    record StoredSpec(List<String> command, Map<String, String> env, String workingDir, String user,
            List<ContainerRequest.VolumeRequest> volumes, String network, List<ContainerRequest.PortRequest> ports) {
    }

    public record PullView(String reference, long bytesDone, long bytesTotal) {
    }

    /**
     * Creates (and by default starts) a container. The access check, validation, admission, placement,
     * the row and the look-up of a cached image are one transaction;
     * if anything after it fails (pull, runtime create or start) the row is deleted, which
     * releases the quota, and whatever the node made is removed.
     */
    Container create(Caller caller, String teamName, ContainerRequest request) {
        String id = randomId();
        boolean start = request.start() == null || request.start();
        // the checks in the order a client learns of them, the admission, the row and (when the node has
        // the image) its digest: one transaction
        Admitted admitted = tx.execute(status -> {
            Team team = teams.require(caller, teamName, TeamRole.MEMBER).team();
            RestartPolicy policy = RestartPolicy.parse(request.restartPolicy());
            NetworkSpec network = network(request);
            List<VolumeMount> mounts = volumeMounts(request);
            String volumesNode = volumes.nodeOf(team, mounts.stream().map(VolumeMount::name).toList());
            Project project = request.project() == null ? null : projects.require(team, request.project());
            Resources resources = resources(team, request.resources());
            String spec = JSON.writeValueAsString(new StoredSpec(request.command(), request.env(), request.workingDir(), request.user(),
                    request.volumes(), network.mode().name().toLowerCase(java.util.Locale.ROOT), network.ports().stream()
                            .map(p -> new ContainerRequest.PortRequest(p.containerPort(), p.hostPort(), p.protocol(), p.hostIp())).toList()));
            if (request.env() != null) {
                request.env().forEach((key, value) -> {
                    if (key == null || !key.matches("[A-Za-z_][A-Za-z0-9_]*") || value == null) {
                        throw WharfException.invalidField("env", "env must map variable names (letters, digits, _) to string values; \""
                                + key + "\" does not");
                    }
                });
            }
            quotas.admitContainer(team, resources); // holds the team's quota lock: names are checked one request at a time too
            if (containers.findByTeamIdAndName(team.getId(), request.name()).isPresent()) {
                throw WharfException.alreadyExists("team \"" + team.getName() + "\" already has a container \"" + request.name() + "\"");
            }
            String node = nodes.place(team.getId(), resources.cpus(), resources.memoryBytes(), volumesNode);
            Container row = new Container(id, team.getId(), project == null ? null : project.getId(), request.name(),
                    request.image().strip(), spec, resources.cpus(), resources.memoryBytes(), resources.pids(), policy.toString(),
                    start ? ContainerStates.DESIRED_RUNNING : ContainerStates.DESIRED_STOPPED, caller.name(), clock.instant());
            row.placed(node, null); // before anything runs there: a server that dies now still knows where to look
            return new Admitted(containers.save(row), team, project, network, quotas.kernelLimits(team.getId()), node, // the quota row admission just read
                    images.resolveCached(team, request.image(), nodes.runtime(node)).orElse(null));
        });
        Team team = admitted.team();
        Project project = admitted.project();
        NetworkSpec network = admitted.network();
        Container container = admitted.container();
        boolean created = false;
        RuntimeService node = null;
        try {
            node = nodes.runtime(admitted.node());
            String digest = admitted.digest() != null ? admitted.digest()
                    : images.resolveForContainer(caller, team, request.image(), node, pull -> pulling.put(id, pull));
            pulling.remove(id);
            ImageInfo image = node.image(team.getId(), digest);
            node.applyTeamLimits(admitted.limits());
            node.create(spec(container, team, image, digest, request, withProjectAlias(network, request.name(), project)));
            created = true;
            if (start) {
                observing.add(id);
                node.start(id);
            }
            return observe(id, node.inspect(id), row -> row.placed(admitted.node(), digest));
        } catch (RuntimeException e) {
            pulling.remove(id);
            if (created) {
                try {
                    node.remove(id, true);
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            containers.deleteRow(id);
            log.info("container {} of team {} was not created: {}", request.name(), team.getName(), e.getMessage());
            throw e;
        } finally {
            observing.remove(id);
        }
    }

    /** Whether a request is starting the container and records the start itself. */
    boolean isObserving(String id) {
        return observing.contains(id);
    }

    /**
     * The admitted row with what was read to admit it, the team's kernel limits as the quota said, the node
     * chosen and the image's digest when the node has it ({@code null}: resolve, maybe pull), all in one transaction.
     */
    private record Admitted(Container container, Team team, Project project, NetworkSpec network, TeamLimits limits, String node,
            String digest) {
    }

    /** 16 hex digits: the container's id on the node (runc, cgroup, directories). */
    private String randomId() {
        byte[] bytes = new byte[8];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private Resources resources(Team team, ContainerRequest.ResourceRequest request) {
        QuotaAdmission.DefaultResources defaults = quotas.defaults(team.getId());
        Double cpus = request == null || request.cpus() == null ? defaults.cpus() : Quantities.cpus("resources.cpus", request.cpus());
        Long memory = request == null || request.memory() == null ? defaults.memory() : Quantities.bytes("resources.memory", request.memory());
        Long pids = request == null || request.pids() == null ? defaults.pids() : Quantities.count("resources.pids", request.pids());
        try {
            return new Resources(cpus, memory, pids);
        } catch (RuntimeFailure e) {
            throw WharfException.invalidField("resources", e.getMessage());
        }
    }

    /** The runtime spec: the image's defaults overridden by the request, as Docker does. */
    private static ContainerSpec spec(Container container, Team team, ImageInfo image, String digest, ContainerRequest request,
            NetworkSpec network) {
        try {
            ContainerDefaults.Resolved run = ContainerDefaults.resolve(request.image(), image.config(), request.command(), request.env(),
                    request.workingDir(), request.user());
            return new ContainerSpec(container.getId(), container.getName(), team.getId(), new Rootfs.Image(digest), run.args(), run.env(),
                    run.workingDir(), run.user(), new Resources(container.getCpus(), container.getMemoryBytes(), container.getPids()),
                    run.stopSignal(), volumeMounts(request), network);
        } catch (RuntimeFailure e) {
            throw WharfException.invalid(e.getMessage());
        }
    }

    /** {@code network} ({@code team}, the default, or {@code none}) and {@code ports}, checked against the allowed host ports. */
    private NetworkSpec network(ContainerRequest request) {
        NetworkSpec.Mode mode;
        if (request.network() == null || request.network().isBlank() || request.network().strip().equalsIgnoreCase("team")) {
            mode = NetworkSpec.Mode.TEAM;
        } else if (request.network().strip().equalsIgnoreCase("none")) {
            mode = NetworkSpec.Mode.NONE;
        } else {
            throw WharfException.invalidField("network", "network must be \"team\" (the team's network, the default) or \"none\""
                    + " (loopback only), got \"" + request.network() + "\"");
        }
        List<PortMapping> ports = new java.util.ArrayList<>();
        List<ContainerRequest.PortRequest> requested = request.ports() == null ? List.of() : request.ports();
        for (int i = 0; i < requested.size(); i++) {
            ContainerRequest.PortRequest port = requested.get(i);
            String field = "ports[" + i + "]";
            if (port == null || port.containerPort() == null || port.hostPort() == null) {
                throw WharfException.invalidField(field, "a port needs containerPort and hostPort");
            }
            if (!hostPorts.contains(port.hostPort())) {
                throw WharfException.invalidField(field + ".hostPort", "host port " + port.hostPort() + " is outside the range teams may"
                        + " publish on (" + hostPorts + ", set by the platform admin)");
            }
            try {
                ports.add(new PortMapping(port.containerPort(), port.hostPort(), port.protocol(), port.hostIp()));
            } catch (RuntimeFailure e) {
                throw WharfException.invalidField(field, e.getMessage());
            }
        }
        try {
            return new NetworkSpec(mode, List.of(), ports);
        } catch (RuntimeFailure e) {
            throw WharfException.invalidField(mode == NetworkSpec.Mode.NONE ? "network" : "ports", e.getMessage());
        }
    }

    /** In a project, the team's other containers also reach it as {@code name.project}. */
    private static NetworkSpec withProjectAlias(NetworkSpec network, String name, Project project) {
        return project == null || network.mode() == NetworkSpec.Mode.NONE ? network
                : new NetworkSpec(network.mode(), List.of(name + "." + project.getName()), network.ports());
    }

    private static List<VolumeMount> volumeMounts(ContainerRequest request) {
        if (request.volumes() == null) {
            return List.of();
        }
        try {
            return request.volumes().stream()
                    .map(v -> new VolumeMount(v.name(), v.path(), Boolean.TRUE.equals(v.readOnly()))).toList();
        } catch (RuntimeFailure e) {
            throw WharfException.invalidField("volumes", e.getMessage());
        }
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

    /** A list as keys (by name) and the names of their projects: what says whether views made earlier still hold. */
    record Listing(List<Container.Key> keys, Map<Long, String> projectNames) {
    }

    @Transactional(readOnly = true)
    Listing listing(Caller caller, String teamName, String projectName) {
        Team team = teams.require(caller, teamName, TeamRole.VIEWER).team();
        List<Container.Key> keys = projectName == null || projectName.isBlank() ? containers.keysByTeam(team.getId())
                : containers.keysByTeamAndProject(team.getId(), projects.require(team, projectName).getId());
        Map<Long, String> names = projects.namesById(keys.stream().map(Container.Key::projectId).filter(java.util.Objects::nonNull)
                .collect(java.util.stream.Collectors.toSet()));
        return new Listing(keys, names);
    }

    /** Read-only copies of these containers' rows by id (those still there), for the keys of a {@link Listing}. */
    @Transactional(readOnly = true)
    Map<String, Container> rows(List<String> ids) {
        Map<String, Container> rows = new java.util.HashMap<>();
        for (int from = 0; from < ids.size(); from += 500) { // bounded IN lists
            containers.copiesOf(ids.subList(from, Math.min(ids.size(), from + 500))).forEach(c -> rows.put(c.getId(), c));
        }
        return rows;
    }

    @Transactional(readOnly = true)
    Container get(Caller caller, String teamName, String name) {
        Team team = teams.require(caller, teamName, TeamRole.VIEWER).team();
        return find(team, name);
    }

    /** Whether a pull the container waits for is in progress (its view then shows the pull's progress). */
    boolean isPulling(String id) {
        return pulling.containsKey(id);
    }

    /** Whether any container of any team waits for a pull here (views made earlier may then lack its progress). */
    boolean anyPulling() {
        return !pulling.isEmpty();
    }

    Optional<PullView> pullOf(Container container) {
        PullTracker.Pull pull = pulling.get(container.getId());
        if (pull == null) {
            return Optional.empty();
        }
        PullTracker.PullView view = pull.view();
        return Optional.of(new PullView(view.reference(), view.bytesDone(), view.bytesTotal()));
    }

    String projectName(Container container) {
        if (container.getProjectId() == null) {
            return null; // no transaction to find out
        }
        return projects.byId(container.getProjectId()).map(Project::getName).orElse(null);
    }

    Container start(Caller caller, String teamName, String name) {
        Container container = operable(caller, teamName, name);
        quotas.requireStorageWithinQuota(teams.byId(container.getTeamId())); // a container the storage meter stopped stays stopped
        update(container.getId(), row -> {
            row.desire(ContainerStates.DESIRED_RUNNING);
            row.resetRestarts();
        });
        RuntimeService node = runtime(container);
        observing.add(container.getId());
        try {
            node.start(container.getId());
            return observe(container.getId(), node.inspect(container.getId()));
        } finally {
            observing.remove(container.getId());
        }
    }

    Container stop(Caller caller, String teamName, String name, Duration timeout) {
        Container container = operable(caller, teamName, name);
        update(container.getId(), row -> row.desire(ContainerStates.DESIRED_STOPPED));
        return observe(container.getId(), runtime(container).stop(container.getId(), timeout));
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
        runtime(container).kill(container.getId(), normalized);
    }

    void delete(Caller caller, String teamName, String name, boolean force) {
        Container container = operable(caller, teamName, name);
        if (!force && (ContainerStates.RUNNING.equals(container.getState()) || ContainerStates.RESTARTING.equals(container.getState()))) {
            throw WharfException.conflict("container \"" + name + "\" is " + container.getState() + "; stop it first or delete with force=true");
        }
        remove(container, force);
    }

    private void remove(Container container, boolean force) {
        update(container.getId(), row -> row.state(ContainerStates.REMOVING, null));
        if (nodes.isJoined(container.getNode())) { // a removed node's containers went with it
            try {
                runtime(container).remove(container.getId(), true);
            } catch (RuntimeFailure e) {
                if (e.kind() != RuntimeFailure.Kind.NOT_FOUND) {
                    throw e;
                }
            }
        }
        containers.deleteRow(container.getId());
    }

    /** The container's log; a followed one holds one of the caller's sessions ({@link SessionLimits}) until the stream is closed. */
    Stream<LogLine> logs(Caller caller, String teamName, String name, LogQuery query) {
        Container container = get(caller, teamName, name);
        if (!query.follow()) {
            return runtime(container).logs(container.getId(), query);
        }
        SessionLimits.Slot slot = sessions.acquire(caller, container.getTeamId(), teamName, SessionLimits.Kind.LOG_STREAM);
        try {
            return runtime(container).logs(container.getId(), query).onClose(slot::close);
        } catch (RuntimeException e) {
            slot.close();
            throw e;
        }
    }

    ContainerStats stats(Caller caller, String teamName, String name) {
        Container container = get(caller, teamName, name);
        return runtime(container).stats(container.getId());
    }

    /** Runs a command in the container and waits for it, holding one of the caller's sessions ({@link SessionLimits}) meanwhile. */
    ExecResult exec(Caller caller, String teamName, String name, List<String> command, Integer timeoutSeconds) {
        Container container = operable(caller, teamName, name);
        try (SessionLimits.Slot slot = sessions.acquire(caller, container.getTeamId(), teamName, SessionLimits.Kind.EXEC)) {
            return runtime(container).exec(container.getId(), new ExecSpec(command, null, null,
                    timeoutSeconds == null ? null : Duration.ofSeconds(timeoutSeconds)));
        } catch (RuntimeFailure e) {
            if (e.kind() == RuntimeFailure.Kind.INVALID_ARGUMENT) {
                throw WharfException.invalidField("command", e.getMessage());
            }
            throw e;
        }
    }

    /**
     * Whether the caller may open a terminal on the container now (a member, with a session free);
     * refuses as {@link #terminal} would, and starts nothing.
     */
    void checkTerminal(Caller caller, String teamName, String name) {
        Container container = operable(caller, teamName, name);
        sessions.check(caller, container.getTeamId(), teamName, SessionLimits.Kind.TERMINAL);
    }

    /** Starts a shell on a terminal in the container; it holds one of the caller's sessions until closed. */
    TerminalSession terminal(Caller caller, String teamName, String name, int cols, int rows) {
        Container container = operable(caller, teamName, name);
        SessionLimits.Slot slot = sessions.acquire(caller, container.getTeamId(), teamName, SessionLimits.Kind.TERMINAL);
        try {
            return slot.heldBy(runtime(container).openTerminal(container.getId(), List.of("/bin/sh"), cols, rows));
        } catch (RuntimeException e) {
            slot.close();
            throw e;
        }
    }

    @Override
    public void checkDeletable(Team team) {
        long count = containers.countByTeamId(team.getId());
        if (count > 0) {
            throw WharfException.conflict("team \"" + team.getName() + "\" still has " + count + " container(s); delete them first");
        }
    }

    @Override
    public void beforeDelete(Project project, boolean force, Caller caller) {
        List<Container> inProject = containers.findByProjectId(project.getId());
        if (!inProject.isEmpty() && !force) {
            throw WharfException.conflict("project \"" + project.getName() + "\" has " + inProject.size()
                    + " container(s); delete them first or use force=true");
        }
        inProject.forEach(c -> remove(c, true));
    }

    private Container operable(Caller caller, String teamName, String name) {
        return find(teams.require(caller, teamName, TeamRole.MEMBER).team(), name);
    }

    private Container find(Team team, String name) {
        return containers.findByTeamIdAndName(team.getId(), name)
                .orElseThrow(() -> WharfException.notFound("team \"" + team.getName() + "\" has no container \"" + name + "\""));
    }

    /**
     * Writes what the node reports into the row (the same facts the event stream brings, so the
     * two may arrive in any order). A pending restart is the reconciler's to finish.
     */
    Container observe(String id, ContainerInfo info) {
        return observe(id, info, row -> { });
    }

    /** As {@link #observe(String, ContainerInfo)}, with one more change to the row in the same transaction. */
    Container observe(String id, ContainerInfo info, java.util.function.Consumer<Container> also) {
        return update(id, row -> {
            also.accept(row);
            row.address(info.ipAddress());
            if (ContainerStates.RESTARTING.equals(row.getState())) {
                return;
            }
            if (info.state() == ContainerState.RUNNING) {
                row.started(info.startedAt());
            } else if (info.state() == ContainerState.EXITED) {
                if (info.startedAt() != null) {
                    row.started(info.startedAt());
                }
                row.exited(info.exitCode(), info.oomKilled(), info.finishedAt());
            }
        });
    }

    /**
     * Loads the row, changes it and saves it in one transaction. Requests and the reconciler's
     * events change rows concurrently: when another change came in between (optimistic lock),
     * the change is applied again to the fresh row.
     */
    Container update(String id, java.util.function.Consumer<Container> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                return tx.execute(status -> {
                    Container row = containers.findById(id).orElseThrow(() -> WharfException.notFound("container " + id + " is gone"));
                    change.accept(row);
                    return containers.saveAndFlush(row);
                });
            } catch (org.springframework.orm.ObjectOptimisticLockingFailureException concurrent) {
                if (attempt == 5) {
                    throw concurrent;
                }
            }
        }
    }

    /** The runtime of the node the container is placed on (503 when that node is down). */
    RuntimeService runtime(Container container) {
        return nodes.runtime(container.getNode());
    }

    Instant now() {
        return clock.instant();
    }
}
