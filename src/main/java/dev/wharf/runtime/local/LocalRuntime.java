package dev.wharf.runtime.local;

import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.ContainerState;
import dev.wharf.runtime.api.ContainerStats;
import dev.wharf.runtime.api.ExecResult;
import dev.wharf.runtime.api.ExecSpec;
import dev.wharf.runtime.api.HostPaths;
import dev.wharf.runtime.api.ImageInfo;
import dev.wharf.runtime.api.LogLine;
import dev.wharf.runtime.api.LogQuery;
import dev.wharf.runtime.api.NodeStatus;
import dev.wharf.runtime.api.PullProgress;
import dev.wharf.runtime.api.RegistryCredentials;
import dev.wharf.runtime.api.RuntimeEvent;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeService;
import dev.wharf.runtime.api.TeamLimits;
import dev.wharf.runtime.api.TerminalSession;
import dev.wharf.runtime.api.VolumeInfo;
import dev.wharf.runtime.cgroup.CgroupManager;
import dev.wharf.runtime.cgroup.Cgroups;
import dev.wharf.runtime.content.ContentStore;
import dev.wharf.runtime.content.FileContentStore;
import dev.wharf.runtime.image.BlobSources;
import dev.wharf.runtime.image.ImageGrants;
import dev.wharf.runtime.image.ImageStore;
import dev.wharf.runtime.image.LayerUnpacker;
import dev.wharf.runtime.image.TeamImages;
import dev.wharf.runtime.linux.LinuxSyscalls;
import dev.wharf.runtime.network.TeamNetworks;
import dev.wharf.runtime.process.Executables;
import dev.wharf.runtime.process.K8sFileLog;
import dev.wharf.runtime.process.RuncProcessDriver;
import dev.wharf.runtime.registry.RegistryAddressPolicy;
import dev.wharf.runtime.registry.RegistryClient;
import dev.wharf.runtime.snapshot.FileTrees;
import dev.wharf.runtime.snapshot.Snapshotter;
import dev.wharf.runtime.snapshot.overlay.OverlaySnapshotter;
import dev.wharf.runtime.volume.LoopVolumes;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process {@link RuntimeService} of a host that can run containers: a façade over the
 * parts that each do one job ({@link ContainerLifecycle}, {@link ContainerStore},
 * {@link ExitWatcher}, {@link HealthMonitor}, {@link NetworkAttachments}, {@link TeamVolumes},
 * {@link LocalImages}, {@link KnownTeams}). Its state lives under the data directory
 * ({@code containers/<id>/container.json}, {@code teams/team-<id>.limits}), so a restarted
 * runtime finds its containers again, leaves running ones running and still reports their exit.
 * A host that cannot run containers gets an {@link UnavailableRuntime} from {@link #onHost}.
 */
public final class LocalRuntime implements RuntimeService, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalRuntime.class);

    private final CgroupManager cgroups;
    private final TeamNetworks networks;
    private final ContainerStore containers;
    private final RuntimeEvents events = new RuntimeEvents();
    private final KnownTeams teams;
    private final TeamVolumes volumes;
    private final LocalImages images;
    private final RootFilesystems rootfs;
    private final ExitWatcher exits;
    private final HealthMonitor health;
    private final NetworkAttachments attachments;
    private final ContainerLifecycle lifecycle;
    private final ContainerRecovery recovery;
    private final InitBinary init;
    /** read once: placement asks for the node's status on every create */
    private final long memoryBytes = HostChecks.memoryBytes();

    private LocalRuntime(RuntimeSettings settings, Path data, LinuxSyscalls syscalls, CgroupManager cgroups, TeamNetworks networks,
            Clock clock) {
        this.cgroups = cgroups;
        this.networks = networks;
        RuncProcessDriver driver = new RuncProcessDriver(binary(settings.runc()), binary(settings.conmon()), data.resolve("runc"),
                data.resolve("exits"), data.resolve("sockets"), syscalls);
        Snapshotter snapshots = new OverlaySnapshotter(data.resolve("snapshots"), syscalls);
        ContentStore content = new FileContentStore(data.resolve("content"));
        ImageStore store = new ImageStore(data.resolve("images"), content, snapshots, new LayerUnpacker(syscalls),
                new ImageStore.Limits(settings.maxLayerBytes(), settings.maxImageBytes(), settings.maxLayerEntries(),
                        settings.maxImageEntries()), clock);
        TeamImages teamImages = new TeamImages(store, new ImageGrants(data.resolve("image-grants")),
                new BlobSources(data.resolve("image-grants").resolve("sources.json")), clock);
        RegistryClient registries = new RegistryClient(new RegistryAddressPolicy(settings.insecureRegistries(),
                settings.privateRegistries()));
        LoopVolumes loopVolumes = new LoopVolumes(binary("mkfs.ext4"), binary("mount"), syscalls);

        this.containers = new ContainerStore(data.resolve("containers"));
        this.teams = new KnownTeams(data.resolve("teams"), cgroups, networks);
        this.volumes = new TeamVolumes(data.resolve("volumes"), loopVolumes, containers, teams, settings.idMapBase());
        this.images = new LocalImages(content, registries, store, teamImages, settings.maxImageBytes(), containers, data);
        this.rootfs = new RootFilesystems(snapshots, teamImages, syscalls);
        this.init = new InitBinary(settings.init());
        ContainerFiles files = new ContainerFiles(containers, cgroups, volumes, init);
        this.attachments = new NetworkAttachments(networks, containers, files);
        this.health = new HealthMonitor(containers, (id, spec) -> driver.exec(id, spec, containers.dirOf(id)), events, clock);
        this.exits = new ExitWatcher(driver, cgroups, containers, attachments, health, events, clock);
        this.lifecycle = new ContainerLifecycle(containers, rootfs, volumes, files, attachments, exits, health, events, driver, cgroups,
                new ContainerLifecycle.Limits(settings.idMapBase(), settings.logMaxBytes()), clock);
        this.recovery = new ContainerRecovery(containers, rootfs, exits, health, driver, settings.idMapBase(), clock);
    }

    /**
     * The runtime of this host as the settings describe it, opened; or, when the host cannot run
     * containers, an {@link UnavailableRuntime} that says why in its status and refuses work.
     */
    public static RuntimeService onHost(RuntimeSettings settings, Clock clock) {
        LinuxSyscalls syscalls = LinuxSyscalls.jna();
        Path data = settings.dataDir().toAbsolutePath();
        HostPaths.register(data);
        CgroupManager cgroups = Cgroups.detect(settings.cgroupMount(), Path.of("/proc/self/cgroup"), settings.cgroupRoot());
        TeamNetworks networks = new TeamNetworks(data.resolve("network"), settings.network());
        List<String> problems = new ArrayList<>(HostChecks.problems(syscalls, settings.runc(), settings.conmon(), cgroups));
        problems.addAll(networks.problems());
        problems.addAll(HostChecks.dataDirProblems(data));
        if (!problems.isEmpty()) {
            return new UnavailableRuntime(problems, cgroups.version());
        }
        PrivateTrees.secure(data);
        return new LocalRuntime(settings, data, syscalls, cgroups, networks, clock).open();
    }

    /** The opened runtime of a host that can run containers (tests, benchmarks); fails as unavailable on one that cannot. */
    public static LocalRuntime open(RuntimeSettings settings, Clock clock) {
        RuntimeService runtime = onHost(settings, clock);
        if (runtime instanceof UnavailableRuntime unavailable) {
            throw unavailable.failure();
        }
        return (LocalRuntime) runtime;
    }

    private static String binary(String nameOrPath) {
        return Executables.find(nameOrPath).orElseThrow().toString();
    }

    /** Loads the state on disk, reconciles it with runc, and starts watching for exits. */
    private LocalRuntime open() {
        PrivateTrees.directory(containers.dir(), PrivateTrees.TRAVERSE_ONLY);
        PrivateTrees.directory(containers.dir().resolveSibling("teams"), PrivateTrees.ROOT_ONLY);
        exits.register();
        teams.load();
        volumes.open();
        networks.open();
        recovery.recover();
        attachments.releaseAfterRestart();
        exits.start();
        init.problem().ifPresent(problem -> log.warn("{}", problem));
        return this;
    }

    @Override
    public void close() {
        exits.close();
        health.close();
    }

    @Override
    public NodeStatus status() {
        return new NodeStatus(true, init.problem().stream().toList(), Runtime.getRuntime().availableProcessors(), memoryBytes, cgroups.version());
    }

    @Override
    public void applyTeamLimits(TeamLimits limits) {
        teams.apply(limits);
    }

    @Override
    public void removeTeam(long teamId) {
        synchronized (containers.changeLock()) {
            long left = containers.ofTeam(teamId).count();
            if (left > 0) {
                throw RuntimeFailure.precondition("team " + teamId + " still has " + left + " container(s) on this node");
            }
            volumes.requireNoneOf(teamId);
            networks.removeTeam(teamId);
            cgroups.removeTeam(teamId);
            teams.forget(teamId);
            volumes.forgetTeam(teamId);
        }
        log.info("forgot team {}", teamId);
    }

    @Override
    public ContainerInfo create(ContainerSpec spec) {
        teams.requireKnown(spec.teamId());
        init.forSpec(spec); // refused before anything is made
        rootfs.requireSource(spec);
        volumes.requireExisting(spec);
        volumes.mountFor(spec);
        return lifecycle.create(spec);
    }

    @Override
    public ContainerInfo start(String id) {
        return lifecycle.start(id);
    }

    @Override
    public ContainerInfo stop(String id, Duration timeout) {
        return lifecycle.stop(id, timeout);
    }

    @Override
    public void kill(String id, String signal) {
        lifecycle.kill(id, signal);
    }

    @Override
    public void remove(String id, boolean force) {
        ContainerSpec removed = lifecycle.remove(id, force);
        images.containerRemoved(removed.rootfs());
    }

    @Override
    public ContainerInfo inspect(String id) {
        return containers.inspect(id);
    }

    @Override
    public List<ContainerInfo> list() {
        return containers.list();
    }

    @Override
    public Stream<LogLine> logs(String id, LogQuery query) {
        ContainerRecord record = containers.get(id);
        return K8sFileLog.read(containers.dirOf(id).resolve("ctr.log"), query, () -> {
            synchronized (record) {
                return record.state == ContainerState.EXITED || !containers.contains(id);
            }
        });
    }

    @Override
    public ContainerStats stats(String id) {
        return cgroups.containerStats(containers.get(id).spec.teamId(), id);
    }

    @Override
    public long writableBytes(String id) {
        return FileTrees.usage(dataDirOf(id).resolve("upper"));
    }

    @Override
    public ExecResult exec(String id, ExecSpec spec) {
        return lifecycle.exec(id, spec);
    }

    @Override
    public TerminalSession openTerminal(String id, List<String> args, int cols, int rows) {
        return lifecycle.openTerminal(id, args, cols, rows);
    }

    @Override
    public ImageInfo pullImage(long teamId, String reference, Function<String, RegistryCredentials> credentials,
            Consumer<PullProgress> progress) {
        return images.pull(teamId, reference, credentials, progress);
    }

    @Override
    public ImageInfo importImage(long teamId, InputStream archive) {
        return images.importArchive(teamId, archive);
    }

    @Override
    public List<ImageInfo> images(long teamId) {
        return images.list(teamId);
    }

    @Override
    public ImageInfo image(long teamId, String digest) {
        return images.get(teamId, digest);
    }

    @Override
    public void removeImage(long teamId, String digest) {
        images.remove(teamId, digest);
    }

    @Override
    public VolumeInfo createVolume(long teamId, String name, long sizeBytes) {
        return volumes.create(teamId, name, sizeBytes);
    }

    @Override
    public List<VolumeInfo> volumes(long teamId) {
        return volumes.list(teamId);
    }

    @Override
    public void removeVolume(long teamId, String name) {
        volumes.remove(teamId, name);
    }

    @Override
    public AutoCloseable subscribe(Consumer<RuntimeEvent> listener) {
        return events.subscribe(listener);
    }

    /** The directory holding a container's bundle, log and monitor files (for diagnostics and benchmarks). */
    public Path dataDirOf(String id) {
        return containers.dirOf(containers.get(id).spec.id());
    }

    /**
     * Removes this node's bridges, iptables chains and rules (containers still running lose
     * their network). For tests and for taking a node out of service.
     */
    public void removeNetworks() {
        networks.removeAll();
    }

    /**
     * Unmounts every volume (their images stay and are mounted again when a runtime opens). For
     * tests and for taking a node out of service; containers that run keep their own view.
     */
    public void unmountVolumes() {
        volumes.unmountAll();
    }
}
