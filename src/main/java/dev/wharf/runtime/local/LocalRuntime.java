package dev.wharf.runtime.local;

import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.ContainerState;
import dev.wharf.runtime.api.ContainerStats;
import dev.wharf.runtime.api.ExecResult;
import dev.wharf.runtime.api.ExecSpec;
import dev.wharf.runtime.api.IdMapping;
import dev.wharf.runtime.api.LogLine;
import dev.wharf.runtime.api.LogQuery;
import dev.wharf.runtime.api.NetworkSpec;
import dev.wharf.runtime.api.NodeStatus;
import dev.wharf.runtime.api.PortMapping;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.Rootfs;
import dev.wharf.runtime.api.RuntimeEvent;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeService;
import dev.wharf.runtime.api.Signals;
import dev.wharf.runtime.api.ImageInfo;
import dev.wharf.runtime.api.PullProgress;
import dev.wharf.runtime.api.RegistryCredentials;
import dev.wharf.runtime.api.TeamLimits;
import dev.wharf.runtime.content.ContentStore;
import dev.wharf.runtime.content.FileContentStore;
import dev.wharf.runtime.fs.AtomicFiles;
import dev.wharf.runtime.image.BlobSources;
import dev.wharf.runtime.image.ImageArchives;
import dev.wharf.runtime.image.ImageGrants;
import dev.wharf.runtime.image.ImageStore;
import dev.wharf.runtime.image.LayerUnpacker;
import dev.wharf.runtime.image.TeamImages;
import dev.wharf.runtime.registry.Credentials;
import dev.wharf.runtime.api.ImageReference;
import dev.wharf.runtime.registry.Platform;
import dev.wharf.runtime.registry.PulledImage;
import dev.wharf.runtime.registry.RegistryAddressPolicy;
import dev.wharf.runtime.registry.RegistryClient;
import dev.wharf.runtime.api.TerminalSession;
import dev.wharf.runtime.api.VolumeInfo;
import dev.wharf.runtime.api.VolumeMount;
import dev.wharf.runtime.bundle.BundleRequest;
import dev.wharf.runtime.bundle.OciSpecBuilder;
import dev.wharf.runtime.cgroup.CgroupManager;
import dev.wharf.runtime.cgroup.Cgroups;
import dev.wharf.runtime.linux.LinuxSyscalls;
import dev.wharf.runtime.linux.SyscallException;
import dev.wharf.runtime.network.TeamNetworks;
import dev.wharf.runtime.process.Executables;
import dev.wharf.runtime.process.K8sFileLog;
import dev.wharf.runtime.process.RuncProcessDriver;
import dev.wharf.runtime.snapshot.FileTrees;
import dev.wharf.runtime.snapshot.IdShiftingCopy;
import dev.wharf.runtime.snapshot.Snapshotter;
import dev.wharf.runtime.snapshot.overlay.OverlaySnapshotter;
import dev.wharf.runtime.volume.LoopVolumes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process {@link RuntimeService}: composes the cgroup manager, the snapshotter, the OCI
 * bundle builder and the conmon + runc driver. Its state lives under the data directory
 * ({@code containers/<id>/container.json}, {@code teams/team-<id>.limits}), so a restarted
 * runtime finds its containers again, leaves running ones running and still reports their exit.
 */
public final class LocalRuntime implements RuntimeService, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalRuntime.class);
    private static final Duration KILL_GRACE = Duration.ofSeconds(10);

    private final Path containersDir;
    private final Path teamsDir;
    private final Path volumesDir;
    private final long idMapBase;
    private final long logMaxBytes;
    private final LinuxSyscalls syscalls;
    private final CgroupManager cgroups;
    private final Snapshotter snapshots;
    private final RuncProcessDriver driver;
    private final Images images;
    private final Clock clock;
    private final List<String> problems;
    private final Map<String, ContainerRecord> containers = new ConcurrentHashMap<>();
    private final Map<Long, TeamLimits> teams = new ConcurrentHashMap<>();
    private final List<Consumer<RuntimeEvent>> listeners = new CopyOnWriteArrayList<>();
    private final Object createLock = new Object();
    private final OciSpecBuilder bundles;
    private final TeamNetworks networks;
    private final LoopVolumes volumeFilesystems;
    /** held while checking and publishing host ports, so two containers never get the same one */
    private final Object portLock = new Object();
    /** held while rewriting a team's hosts files */
    private final Object hostsLock = new Object();
    /** read once: placement asks for the node's status on every create */
    private final long memoryBytes = hostMemory();
    private WatchService exitWatch;
    private Thread exitWatcher;

    /**
     * Where images come from and live: the content store, the registry client, the image store, and
     * the teams' view of it (which images and blobs each team may use).
     */
    public record Images(ContentStore content, RegistryClient registries, ImageStore store, TeamImages teams, long maxImageBytes) {
    }

    public LocalRuntime(Path dataDir, long idMapBase, long logMaxBytes, LinuxSyscalls syscalls, CgroupManager cgroups,
            Snapshotter snapshots, RuncProcessDriver driver, Images images, TeamNetworks networks, LoopVolumes volumeFilesystems,
            List<String> problems, Clock clock) {
        this.containersDir = dataDir.resolve("containers");
        this.teamsDir = dataDir.resolve("teams");
        this.volumesDir = dataDir.resolve("volumes");
        this.idMapBase = idMapBase;
        this.logMaxBytes = logMaxBytes;
        this.syscalls = syscalls;
        this.cgroups = cgroups;
        this.snapshots = snapshots;
        this.driver = driver;
        this.images = images;
        this.networks = networks;
        this.volumeFilesystems = volumeFilesystems;
        this.problems = List.copyOf(problems);
        this.clock = clock;
        this.bundles = problems.isEmpty() ? new OciSpecBuilder() : null;
    }

    /**
     * The runtime of this host as the settings describe it, opened. When the host cannot run
     * containers the runtime still exists, reports why in {@link #status()}, and refuses work.
     */
    public static LocalRuntime onHost(RuntimeSettings settings, Clock clock) {
        LinuxSyscalls syscalls = LinuxSyscalls.jna();
        Path data = settings.dataDir().toAbsolutePath();
        dev.wharf.runtime.api.HostPaths.register(data);
        CgroupManager cgroups = Cgroups.detect(settings.cgroupMount(), Path.of("/proc/self/cgroup"), settings.cgroupRoot());
        TeamNetworks networks = new TeamNetworks(data.resolve("network"), settings.network());
        List<String> problems = new ArrayList<>(HostChecks.problems(syscalls, settings.runc(), settings.conmon(), cgroups));
        problems.addAll(networks.problems());
        problems.addAll(HostChecks.dataDirProblems(data));
        if (!problems.isEmpty()) {
            return new LocalRuntime(data, settings.idMapBase(), settings.logMaxBytes(), syscalls, cgroups, null, null, null, null,
                    null, problems, clock).open();
        }
        PrivateTrees.secure(data);
        String runc = Executables.find(settings.runc()).orElseThrow().toString();
        String conmon = Executables.find(settings.conmon()).orElseThrow().toString();
        RuncProcessDriver driver = new RuncProcessDriver(runc, conmon, data.resolve("runc"), data.resolve("exits"),
                data.resolve("sockets"), syscalls);
        Snapshotter snapshots = new OverlaySnapshotter(data.resolve("snapshots"), syscalls);
        ContentStore content = new FileContentStore(data.resolve("content"));
        ImageStore store = new ImageStore(data.resolve("images"), content, snapshots, new LayerUnpacker(syscalls),
                new ImageStore.Limits(settings.maxLayerBytes(), settings.maxImageBytes(), settings.maxLayerEntries(),
                        settings.maxImageEntries()), clock);
        TeamImages teamImages = new TeamImages(store, new ImageGrants(data.resolve("image-grants")),
                new BlobSources(data.resolve("image-grants").resolve("sources.json")), clock);
        Images images = new Images(content, new RegistryClient(new RegistryAddressPolicy(settings.insecureRegistries(),
                settings.privateRegistries())), store, teamImages, settings.maxImageBytes());
        LoopVolumes volumes = new LoopVolumes(Executables.find("mkfs.ext4").orElseThrow().toString(),
                Executables.find("mount").orElseThrow().toString(), syscalls);
        return new LocalRuntime(data, settings.idMapBase(), settings.logMaxBytes(), syscalls, cgroups, snapshots, driver, images,
                networks, volumes, problems, clock).open();
    }

    /** Loads the state on disk, reconciles it with runc, and starts watching for exits. */
    public LocalRuntime open() {
        if (!problems.isEmpty()) {
            problems.forEach(p -> log.warn("This host cannot run containers: {}", p));
            return this;
        }
        try {
            PrivateTrees.directory(containersDir, PrivateTrees.TRAVERSE_ONLY);
            PrivateTrees.directory(teamsDir, PrivateTrees.ROOT_ONLY);
            exitWatch = driver.exitDir().getFileSystem().newWatchService();
            driver.exitDir().register(exitWatch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the runtime's data directory", e);
        }
        loadTeams();
        secureVolumes();
        mountVolumes();
        networks.open();
        loadContainers();
        releaseNetworks();
        exitWatcher = new Thread(this::watchExits, "wharf-exit-watcher");
        exitWatcher.setDaemon(true);
        exitWatcher.start();
        return this;
    }

    @Override
    public void close() {
        if (exitWatch != null) {
            try {
                exitWatch.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    @Override
    public NodeStatus status() {
        return new NodeStatus(problems.isEmpty(), problems, Runtime.getRuntime().availableProcessors(), memoryBytes, cgroups.version());
    }

    private void requireReady() {
        if (!problems.isEmpty()) {
            throw new RuntimeFailure(RuntimeFailure.Kind.UNAVAILABLE, "this node cannot run containers: " + String.join("; ", problems));
        }
    }

    @Override
    public void applyTeamLimits(TeamLimits limits) {
        requireReady();
        TeamLimits known = teams.get(limits.teamId());
        if (limits.equals(known)) {
            return; // already in the kernel and on disk; a create asks every time
        }
        Resources r = limits.resources();
        if (known == null || !r.equals(known.resources())) {
            cgroups.applyTeamLimits(limits.teamId(), r);
        }
        if (known == null || limits.outbound() != known.outbound()) {
            networks.setOutbound(limits.teamId(), limits.outbound());
        }
        writeAtomically(teamsDir.resolve("team-" + limits.teamId() + ".limits"), PrivateTrees.PRIVATE_FILE,
                r.cpus() + " " + r.memoryBytes() + " " + r.pids() + " " + limits.outbound() + "\n");
        teams.put(limits.teamId(), limits);
    }

    @Override
    public void removeTeam(long teamId) {
        requireReady();
        synchronized (createLock) {
            long left = containers.values().stream().filter(c -> c.spec.teamId() == teamId).count();
            if (left > 0) {
                throw RuntimeFailure.precondition("team " + teamId + " still has " + left + " container(s) on this node");
            }
            Path teamVolumes = volumesDir.resolve("team-" + teamId);
            try (Stream<Path> volumes = Files.isDirectory(teamVolumes) ? Files.list(teamVolumes) : Stream.empty()) {
                if (volumes.findAny().isPresent()) {
                    throw RuntimeFailure.precondition("team " + teamId + " still has volumes on this node");
                }
                networks.removeTeam(teamId);
                cgroups.removeTeam(teamId);
                Files.deleteIfExists(teamsDir.resolve("team-" + teamId + ".limits"));
                Files.deleteIfExists(teamVolumes);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot forget team " + teamId, e);
            }
            teams.remove(teamId);
        }
        log.info("forgot team {}", teamId);
    }

    @Override
    public ContainerInfo create(ContainerSpec spec) {
        requireReady();
        if (!teams.containsKey(spec.teamId())) {
            throw RuntimeFailure.notFound("team " + spec.teamId() + " is not known on this node: apply its limits first");
        }
        if (spec.rootfs() instanceof Rootfs.Directory directory && !Files.isDirectory(directory.path(), LinkOption.NOFOLLOW_LINKS)) {
            throw RuntimeFailure.invalid("rootfs directory " + directory.path() + " does not exist");
        }
        if (spec.rootfs() instanceof Rootfs.Image image) {
            images.teams().get(spec.teamId(), image.digest()); // only an image the team holds
        }
        for (VolumeMount volume : spec.volumes()) {
            if (!Files.isDirectory(volumeDir(spec.teamId(), volume.name()), LinkOption.NOFOLLOW_LINKS)) {
                throw RuntimeFailure.notFound("volume " + volume.name() + " of team " + spec.teamId() + " does not exist on this node");
            }
        }
        mountVolumesOf(spec);
        ContainerRecord record = new ContainerRecord(spec, clock.instant());
        synchronized (createLock) {
            if (containers.containsKey(spec.id())) {
                throw new RuntimeFailure(RuntimeFailure.Kind.ALREADY_EXISTS, "container " + spec.id() + " already exists");
            }
            boolean nameTaken = containers.values().stream()
                    .anyMatch(c -> c.spec.teamId() == spec.teamId() && c.spec.name().equals(spec.name()));
            if (nameTaken) {
                throw new RuntimeFailure(RuntimeFailure.Kind.ALREADY_EXISTS,
                        "team " + spec.teamId() + " already has a container named " + spec.name());
            }
            containers.put(spec.id(), record);
        }
        Deque<Runnable> undo = new ArrayDeque<>();
        Path dir = containersDir.resolve(spec.id());
        try {
            IdMapping ids = IdMapping.forTeam(spec.teamId(), idMapBase);
            PrivateTrees.teamDirectory(dir, ids);
            undo.push(() -> deleteTree(dir));
            Path rootfs = dir.resolve("bundle").resolve("rootfs");
            snapshots.mountActive(layers(spec, ids), dir, rootfs);
            undo.push(() -> snapshots.removeActive(dir, rootfs));
            writeBundle(record, dir, ids);
            persist(record);
            undo.push(() -> driver.delete(spec.id(), true));
            undo.push(() -> cgroups.removeContainer(spec.teamId(), spec.id()));
            record.pid = driver.create(spec.id(), spec.name(), dir.resolve("bundle"), dir, dir.resolve("ctr.log"), logMaxBytes);
            persist(record);
            PrivateTrees.secureContainer(dir, ids); // conmon made the log and pid files with modes of its own
            log.info("created container {} ({}) of team {}", spec.id(), spec.name(), spec.teamId());
            return record.info();
        } catch (RuntimeException e) {
            containers.remove(spec.id());
            while (!undo.isEmpty()) {
                try {
                    undo.pop().run();
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e instanceof RuntimeFailure f ? f
                    : new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "create " + spec.id() + ": " + e.getMessage(), e);
        }
    }

    /** The snapshot keys of a container's root filesystem, top first, unpacked for its team's id mapping. */
    private List<String> layers(ContainerSpec spec, IdMapping ids) {
        if (spec.rootfs() instanceof Rootfs.Image image) {
            return images.teams().layersFor(spec.teamId(), image.digest(), ids);
        }
        return List.of(directorySnapshot(((Rootfs.Directory) spec.rootfs()).path(), ids));
    }

    /** A host directory becomes one committed snapshot per (directory, change time, id mapping). */
    private String directorySnapshot(Path source, IdMapping ids) {
        String key;
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((source.toRealPath() + "\n" + Files.getLastModifiedTime(source)).getBytes(StandardCharsets.UTF_8));
            key = "dir-" + HexFormat.of().formatHex(sha.digest()).substring(0, 24) + "@" + ids.key();
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw RuntimeFailure.invalid("rootfs directory " + source + " cannot be read: " + e.getMessage());
        }
        snapshots.commit(key, target -> IdShiftingCopy.copy(source, target, ids));
        return key;
    }

    private void writeBundle(ContainerRecord record, Path dir, IdMapping ids) {
        ContainerSpec spec = record.spec;
        Path hosts = dir.resolve("hosts");
        Path hostname = dir.resolve("hostname");
        Path resolv = dir.resolve("resolv.conf");
        writeAtomically(hosts, PrivateTrees.READABLE_FILE, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t" + spec.name() + "\n");
        writeAtomically(hostname, PrivateTrees.READABLE_FILE, spec.name() + "\n");
        String hostResolv;
        try {
            hostResolv = Files.exists(Path.of("/etc/resolv.conf")) ? Files.readString(Path.of("/etc/resolv.conf")) : "";
        } catch (IOException e) {
            hostResolv = "";
        }
        writeAtomically(resolv, PrivateTrees.READABLE_FILE, hostResolv);
        List<BundleRequest.VolumeBind> binds = spec.volumes().stream()
                .map(v -> new BundleRequest.VolumeBind(volumeDir(spec.teamId(), v.name()), v.path(), v.readOnly())).toList();
        String config = bundles.json(new BundleRequest(spec, ids,
                cgroups.containerCgroupsPath(spec.teamId(), spec.id()), hosts, resolv, hostname, binds));
        writeAtomically(dir.resolve("bundle").resolve("config.json"), PrivateTrees.PRIVATE_FILE, config);
    }

    @Override
    public ContainerInfo start(String id) {
        requireReady();
        ContainerRecord record = record(id);
        synchronized (record) {
            if (record.state == ContainerState.RUNNING) {
                throw RuntimeFailure.precondition("container " + id + " is already running");
            }
            if (record.state == ContainerState.EXITED) {
                recreate(record);
            }
            if (record.networkResult == null) {
                attachNetwork(record); // a port taken meanwhile fails the start here, before the process runs
            }
            driver.start(id, record.pid);
            record.state = ContainerState.RUNNING;
            record.startedAt = clock.instant();
            record.finishedAt = null;
            record.exitCode = null;
            record.oomKilled = false;
            persist(record);
        }
        publish(new RuntimeEvent.ContainerStarted(id, record.startedAt));
        // a very short-lived process may have ended before we marked it running
        driver.exitCode(id).ifPresent(code -> handleExit(id));
        return record.info();
    }

    /** An exited container starts again like {@code docker start}: same filesystem, a fresh process. */
    private void recreate(ContainerRecord record) {
        ContainerSpec spec = record.spec;
        Path dir = containersDir.resolve(spec.id());
        driver.delete(spec.id(), true);
        mountVolumesOf(spec);
        Path rootfs = dir.resolve("bundle").resolve("rootfs");
        if (!isOverlay(rootfs)) {
            snapshots.mountActive(layers(spec, IdMapping.forTeam(spec.teamId(), idMapBase)), dir, rootfs);
        }
        record.pid = driver.create(spec.id(), spec.name(), dir.resolve("bundle"), dir, dir.resolve("ctr.log"), logMaxBytes);
        record.state = ContainerState.CREATED;
    }

    /**
     * Puts a container that runc has created and not yet started (its first process waits in
     * runc-init, its network namespace exists) on its team's network, publishes its ports and
     * tells the team's other containers its name. Created-but-never-started containers hold no
     * address; exited ones give theirs back.
     */
    private void attachNetwork(ContainerRecord record) {
        ContainerSpec spec = record.spec;
        if (spec.network().mode() != NetworkSpec.Mode.TEAM) {
            return;
        }
        String netns = "/proc/" + record.pid + "/ns/net";
        List<PortMapping> ports = spec.network().ports();
        if (ports.isEmpty()) {
            record.attached(networks.attach(spec.id(), spec.teamId(), netns, List.of()));
        } else {
            synchronized (portLock) { // the check, and the record that this container now publishes the ports, at once
                List<PortMapping> published = containers.values().stream()
                        .filter(r -> r != record && r.networkResult != null).flatMap(r -> r.spec.network().ports().stream()).toList();
                networks.checkHostPorts(ports, published);
                record.attached(networks.attach(spec.id(), spec.teamId(), netns, ports));
            }
        }
        persist(record);
        refreshHosts(spec.teamId());
    }

    /** Releases a container's address and published ports (its namespace may be gone already); never throws. */
    private void detachNetwork(ContainerRecord record) {
        if (record.networkResult == null) {
            return;
        }
        try {
            networks.detach(record.spec.id(), record.spec.teamId(), record.networkResult, record.spec.network().ports());
        } catch (RuntimeException e) {
            log.warn("could not fully release the network of container {}: {}", record.spec.id(), e.getMessage());
        }
        record.attached(null);
        if (containers.containsKey(record.spec.id())) {
            persist(record);
        }
        refreshHosts(record.spec.teamId());
    }

    /**
     * Rewrites the hosts file of every container of the team (in place: it is bind-mounted) so
     * each finds the others by name and aliases.
     */
    private void refreshHosts(long teamId) {
        synchronized (hostsLock) {
            List<ContainerRecord> team = containers.values().stream().filter(r -> r.spec.teamId() == teamId)
                    .sorted(Comparator.comparing(r -> r.spec.name())).toList();
            for (ContainerRecord record : team) {
                StringBuilder hosts = new StringBuilder("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
                String own = record.ipAddress;
                hosts.append(own == null ? "127.0.1.1" : own).append('\t').append(names(record.spec)).append('\n');
                for (ContainerRecord peer : team) {
                    String address = peer.ipAddress;
                    if (peer != record && address != null) {
                        hosts.append(address).append('\t').append(names(peer.spec)).append('\n');
                    }
                }
                Path file = containersDir.resolve(record.spec.id()).resolve("hosts");
                try {
                    Files.writeString(file, hosts, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                } catch (java.nio.file.NoSuchFileException gone) {
                    // being created or removed
                } catch (IOException e) {
                    log.warn("cannot update {}: {}", file, e.getMessage());
                }
            }
        }
    }

    private static String names(ContainerSpec spec) {
        return spec.network().aliases().isEmpty() ? spec.name() : spec.name() + " " + String.join(" ", spec.network().aliases());
    }

    /** After a restart: releases what exited containers and half-made ones held while the runtime was down. */
    private void releaseNetworks() {
        for (ContainerRecord record : containers.values()) {
            synchronized (record) {
                if (record.state == ContainerState.EXITED && record.networkResult != null) {
                    detachNetwork(record);
                }
            }
        }
        for (String holder : networks.leaseHolders()) {
            ContainerRecord record = containers.get(holder);
            if (record == null || record.networkResult == null) {
                log.warn("releasing the address of container {}, which no longer has a network", holder);
                networks.releaseOrphan(holder);
            }
        }
    }

    /**
     * Removes this node's bridges, iptables chains and rules (containers still running lose
     * their network). For tests and for taking a node out of service.
     */
    public void removeNetworks() {
        if (networks != null) {
            networks.removeAll();
        }
    }

    private boolean isOverlay(Path path) {
        try {
            return syscalls.statfs(path.toString()).type() == LinuxSyscalls.OVERLAYFS_SUPER_MAGIC;
        } catch (SyscallException e) {
            return false;
        }
    }

    @Override
    public ContainerInfo stop(String id, Duration timeout) {
        requireReady();
        ContainerRecord record = record(id);
        synchronized (record) {
            if (record.state != ContainerState.RUNNING) {
                return record.info();
            }
            signal(record, record.spec.stopSignal());
            if (!awaitExit(record, timeout)) {
                log.info("container {} did not stop within {} s; killing it", id, timeout.toSeconds());
                signal(record, "KILL");
                if (!awaitExit(record, KILL_GRACE)) {
                    throw new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "stop " + id + ": still running after SIGKILL");
                }
            }
            return record.info();
        }
    }

    private void signal(ContainerRecord record, String signal) {
        try {
            driver.kill(record.spec.id(), signal, true);
        } catch (RuntimeFailure e) {
            if (driver.exitCode(record.spec.id()).isEmpty()) {
                throw e;
            }
        }
    }

    /** Waits (holding the record's monitor) until the exit watcher marks the container exited. */
    private boolean awaitExit(ContainerRecord record, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (record.state == ContainerState.RUNNING) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            if (driver.exitCode(record.spec.id()).isPresent()) {
                markExited(record);
                break;
            }
            try {
                record.wait(Math.min(Math.max(1, left / 1_000_000), 100));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "interrupted while stopping " + record.spec.id());
            }
        }
        return true;
    }

    @Override
    public void kill(String id, String signal) {
        requireReady();
        String normalized = Signals.normalize(signal);
        ContainerRecord record = record(id);
        synchronized (record) {
            if (record.state != ContainerState.RUNNING) {
                throw RuntimeFailure.precondition("container " + id + " is not running");
            }
            signal(record, normalized);
        }
    }

    @Override
    public void remove(String id, boolean force) {
        requireReady();
        ContainerRecord record = record(id);
        synchronized (record) {
            if (record.state != ContainerState.EXITED && !force) {
                throw RuntimeFailure.precondition("container " + id + " is " + record.state.name().toLowerCase()
                        + "; stop it first or remove it with force");
            }
            if (record.state == ContainerState.RUNNING) {
                signal(record, "KILL");
                awaitExit(record, KILL_GRACE);
            }
            detachNetwork(record);
            Path dir = containersDir.resolve(id);
            driver.delete(id, true);
            cgroups.removeContainer(record.spec.teamId(), id);
            snapshots.removeActive(dir, dir.resolve("bundle").resolve("rootfs"));
            try {
                Files.deleteIfExists(driver.exitDir().resolve(id));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            deleteTree(dir);
            containers.remove(id);
        }
        if (record.spec.rootfs() instanceof Rootfs.Image image) {
            synchronized (createLock) {
                removeImageIfUnused(image.digest()); // its team may have let go of it while this container still used it
            }
        }
        log.info("removed container {}", id);
    }

    @Override
    public ContainerInfo inspect(String id) {
        ContainerRecord record = record(id);
        synchronized (record) {
            return record.info();
        }
    }

    @Override
    public List<ContainerInfo> list() {
        return containers.values().stream().map(r -> {
            synchronized (r) {
                return r.info();
            }
        }).sorted(Comparator.comparing(ContainerInfo::createdAt)).toList();
    }

    @Override
    public Stream<LogLine> logs(String id, LogQuery query) {
        ContainerRecord record = record(id);
        return K8sFileLog.read(containersDir.resolve(id).resolve("ctr.log"), query, () -> {
            synchronized (record) {
                return record.state == ContainerState.EXITED || !containers.containsKey(id);
            }
        });
    }

    @Override
    public ContainerStats stats(String id) {
        ContainerRecord record = record(id);
        return cgroups.containerStats(record.spec.teamId(), id);
    }

    @Override
    public long writableBytes(String id) {
        return FileTrees.usage(containersDir.resolve(record(id).spec.id()).resolve("upper"));
    }

    @Override
    public ExecResult exec(String id, ExecSpec spec) {
        requireReady();
        ContainerRecord record = record(id);
        synchronized (record) {
            if (record.state != ContainerState.RUNNING) {
                throw RuntimeFailure.precondition("container " + id + " is not running");
            }
        }
        return driver.exec(id, spec, containersDir.resolve(id));
    }

    @Override
    public TerminalSession openTerminal(String id, List<String> args, int cols, int rows) {
        requireReady();
        if (args == null || args.isEmpty() || cols < 1 || rows < 1 || cols > 1000 || rows > 1000) {
            throw RuntimeFailure.invalid("a terminal needs a command and a size between 1x1 and 1000x1000");
        }
        ContainerRecord record = record(id);
        synchronized (record) {
            if (record.state != ContainerState.RUNNING) {
                throw RuntimeFailure.precondition("container " + id + " is not running");
            }
        }
        return driver.terminal(id, args, cols, rows, containersDir.resolve(id));
    }

    @Override
    public ImageInfo pullImage(long teamId, String reference,
            java.util.function.Function<String, RegistryCredentials> credentials, Consumer<PullProgress> progress) {
        requireReady();
        ImageReference ref = ImageReference.parse(reference);
        RegistryCredentials given = credentials == null ? null : credentials.apply(ref.registry());
        Credentials login = given == null ? null : new Credentials(given.username(), given.password());
        String repository = ref.registry() + "/" + ref.repository();
        Set<String> held = ConcurrentHashMap.newKeySet(); // layers the team holds: not fetched, so not vouched for by this repository
        java.util.function.Predicate<String> holds = images.teams().blobsHeldBy(teamId);
        java.util.function.Predicate<String> heldNow = digest -> {
            if (!holds.test(digest)) {
                return false;
            }
            held.add(digest);
            return true;
        };
        PulledImage pulled = images.registries().pull(ref, Platform.host(), login, images.content(),
                heldNow, images.teams().blobsServedBy(repository),
                (layer, done, total) -> progress.accept(new PullProgress(ref.toString(), layer, done, total)));
        ImageInfo info = images.teams().addPulled(teamId, pulled.manifestDigest(), ref.toString(), repository, held);
        log.info("pulled {} as {} for team {}", ref, info.digest(), teamId);
        return info;
    }

    @Override
    public ImageInfo importImage(long teamId, java.io.InputStream archive) {
        requireReady();
        List<ImageArchives.Imported> imported = ImageArchives.importArchive(archive, images.content(), containersDir.getParent(),
                images.maxImageBytes());
        ImageInfo first = null;
        for (ImageArchives.Imported image : imported) {
            ImageInfo info = images.teams().add(teamId, image.manifestDigest(), image.reference());
            first = first == null ? info : first;
        }
        return first;
    }

    @Override
    public List<ImageInfo> images(long teamId) {
        return images == null ? List.of() : images.teams().list(teamId);
    }

    @Override
    public ImageInfo image(long teamId, String digest) {
        requireReady();
        return images.teams().get(teamId, digest);
    }

    @Override
    public void removeImage(long teamId, String digest) {
        requireReady();
        synchronized (createLock) {
            images.teams().get(teamId, digest);
            List<String> users = containers.values().stream()
                    .filter(c -> c.spec.teamId() == teamId && usesImage(c, digest))
                    .map(c -> c.spec.name()).sorted().toList();
            if (!users.isEmpty()) {
                throw RuntimeFailure.precondition("image " + digest + " is used by " + users.size() + " container(s): "
                        + String.join(", ", users));
            }
            images.teams().release(teamId, digest);
            removeImageIfUnused(digest);
        }
    }

    private static boolean usesImage(ContainerRecord record, String digest) {
        return record.spec.rootfs() instanceof Rootfs.Image image && image.digest().equals(digest);
    }

    /** Deletes an image no team holds and no container uses any more, with its content; callers hold the create lock. */
    private void removeImageIfUnused(String digest) {
        boolean stored = images.store().list().stream().anyMatch(i -> i.digest().equals(digest));
        if (stored && !images.teams().heldByAnyTeam(digest) && containers.values().stream().noneMatch(c -> usesImage(c, digest))) {
            images.store().remove(digest);
            images.teams().forgetSourcesUnless(images.content()::has);
        }
    }

    @Override
    public VolumeInfo createVolume(long teamId, String name, long sizeBytes) {
        requireReady();
        new VolumeMount(name, "/v", false); // the name rule
        if (sizeBytes < VolumeInfo.MIN_SIZE_BYTES) {
            throw RuntimeFailure.invalid("volume size must be at least " + VolumeInfo.MIN_SIZE_BYTES / 1024 + " KiB (256Ki), got "
                    + sizeBytes + " bytes");
        }
        if (!teams.containsKey(teamId)) {
            throw RuntimeFailure.notFound("team " + teamId + " is not known on this node: apply its limits first");
        }
        synchronized (createLock) {
            Path dir = volumeDir(teamId, name);
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) || Files.exists(LoopVolumes.image(dir), LinkOption.NOFOLLOW_LINKS)) {
                throw new RuntimeFailure(RuntimeFailure.Kind.ALREADY_EXISTS, "team " + teamId + " already has a volume " + name);
            }
            IdMapping ids = IdMapping.forTeam(teamId, idMapBase);
            PrivateTrees.teamDirectory(dir.getParent(), ids);
            long disk = diskSize(dir.getParent());
            if (sizeBytes > disk) {
                throw RuntimeFailure.invalid("volume size " + sizeBytes + " bytes is more than this node's disk (" + disk + " bytes)");
            }
            volumeFilesystems.create(dir, sizeBytes, ids.hostBase(), ids.hostBase());
            try {
                writeAtomically(dir.resolveSibling(name + ".size"), PrivateTrees.PRIVATE_FILE, sizeBytes + "\n"); // last: a volume with its size is whole
            } catch (RuntimeException e) {
                try {
                    volumeFilesystems.remove(dir);
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
            log.info("created volume {} of team {} ({} bytes)", name, teamId, sizeBytes);
            return volume(teamId, name);
        }
    }

    @Override
    public List<VolumeInfo> volumes(long teamId) {
        requireReady();
        Path teamDir = volumesDir.resolve("team-" + teamId);
        if (!Files.isDirectory(teamDir)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(teamDir)) {
            return dirs.filter(Files::isDirectory).filter(d -> Files.exists(d.resolveSibling(d.getFileName() + ".size")))
                    .map(d -> volume(teamId, d.getFileName().toString()))
                    .sorted(Comparator.comparing(VolumeInfo::name)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void removeVolume(long teamId, String name) {
        requireReady();
        synchronized (createLock) {
            VolumeInfo volume = volume(teamId, name);
            if (!volume.usedBy().isEmpty()) {
                throw RuntimeFailure.precondition("volume " + name + " is mounted by container(s) " + String.join(", ", volume.usedBy()));
            }
            Path dir = volumeDir(teamId, name);
            if (Files.exists(LoopVolumes.image(dir), LinkOption.NOFOLLOW_LINKS)) {
                volumeFilesystems.remove(dir);
            } else {
                deleteTree(dir); // a volume made before volumes had a filesystem of their own
            }
            deleteTree(dir.resolveSibling(name + ".size"));
        }
        log.info("removed volume {} of team {}", name, teamId);
    }

    /**
     * Mounts every volume's filesystem that is not mounted (after a reboot); ones still mounted stay
     * as they are, so running containers keep theirs. A creation that never finished (an image
     * without its size file) is removed.
     */
    private void mountVolumes() {
        if (!Files.isDirectory(volumesDir)) {
            return;
        }
        try (DirectoryStream<Path> teamDirs = Files.newDirectoryStream(volumesDir, "team-*")) {
            for (Path teamDir : teamDirs) {
                try (DirectoryStream<Path> images = Files.newDirectoryStream(teamDir, "*.img")) {
                    for (Path image : images) {
                        String name = image.getFileName().toString().replaceFirst("\\.img$", "");
                        Path dir = teamDir.resolve(name);
                        try {
                            if (Files.exists(teamDir.resolve(name + ".size"))) {
                                volumeFilesystems.mount(dir);
                            } else {
                                log.warn("removing volume {} of {}: its creation never finished", name, teamDir.getFileName());
                                volumeFilesystems.remove(dir);
                            }
                        } catch (RuntimeException e) {
                            log.warn("volume {} of {} cannot be mounted; containers that use it will not start: {}", name,
                                    teamDir.getFileName(), e.getMessage());
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read volumes in " + volumesDir, e);
        }
    }

    /**
     * Unmounts every volume (their images stay and are mounted again when a runtime opens). For
     * tests and for taking a node out of service; containers that run keep their own view.
     */
    public void unmountVolumes() {
        if (volumeFilesystems == null || !Files.isDirectory(volumesDir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(volumesDir, 2)) {
            for (Path image : files.filter(f -> f.getFileName().toString().endsWith(".img")).toList()) {
                volumeFilesystems.unmount(image.resolveSibling(image.getFileName().toString().replaceFirst("\\.img$", "")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read volumes in " + volumesDir, e);
        }
    }

    /** A container binds its volumes' filesystems, never the empty directories below them. */
    private void mountVolumesOf(ContainerSpec spec) {
        for (VolumeMount volume : spec.volumes()) {
            try {
                volumeFilesystems.mount(volumeDir(spec.teamId(), volume.name()));
            } catch (RuntimeFailure e) {
                throw new RuntimeFailure(RuntimeFailure.Kind.UNAVAILABLE, "volume " + volume.name() + " is not mounted: " + e.getMessage(), e);
            }
        }
    }

    private static long diskSize(Path dir) {
        try {
            return Files.getFileStore(dir).getTotalSpace();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of the disk holding " + dir, e);
        }
    }

    private VolumeInfo volume(long teamId, String name) {
        Path dir = volumeDir(teamId, name);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw RuntimeFailure.notFound("team " + teamId + " has no volume " + name + " on this node");
        }
        long size;
        try {
            size = Long.parseLong(Files.readString(dir.resolveSibling(name + ".size")).strip());
        } catch (java.nio.file.NoSuchFileException e) {
            throw RuntimeFailure.notFound("team " + teamId + " has no volume " + name + " on this node");
        } catch (IOException | NumberFormatException e) {
            throw new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "cannot read volume " + name + ": " + e.getMessage(), e);
        }
        List<String> usedBy = containers.values().stream().filter(c -> c.spec.teamId() == teamId)
                .filter(c -> c.spec.volumes().stream().anyMatch(v -> v.name().equals(name))).map(c -> c.spec.id()).sorted().toList();
        long used = FileTrees.usage(dir);
        return new VolumeInfo(teamId, name, size, used, used > size, usedBy);
    }

    private Path volumeDir(long teamId, String name) {
        return volumesDir.resolve("team-" + teamId).resolve(name);
    }

    @Override
    public AutoCloseable subscribe(Consumer<RuntimeEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** The directory holding a container's bundle, log and monitor files (for diagnostics and benchmarks). */
    public Path dataDirOf(String id) {
        return containersDir.resolve(record(id).spec.id());
    }

    private ContainerRecord record(String id) {
        ContainerRecord record = id == null ? null : containers.get(id);
        if (record == null) {
            throw RuntimeFailure.notFound("container " + id + " not found");
        }
        return record;
    }

    private void watchExits() {
        while (true) {
            WatchKey key;
            try {
                key = exitWatch.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            for (WatchEvent<?> event : key.pollEvents()) {
                if (event.context() instanceof Path name) {
                    handleExit(name.toString());
                } else {
                    containers.keySet().forEach(this::handleExit);
                }
            }
            key.reset();
        }
    }

    private void handleExit(String id) {
        ContainerRecord record = containers.get(id);
        if (record == null) {
            return;
        }
        synchronized (record) {
            if (record.state == ContainerState.RUNNING) {
                markExited(record);
            }
        }
    }

    /** Records an exit conmon reported (called holding the record's monitor) and tells the listeners. */
    private void markExited(ContainerRecord record) {
        String id = record.spec.id();
        OptionalInt code = driver.exitCode(id);
        if (code.isEmpty()) {
            return; // the exit file is created before it is written; the modify event follows
        }
        record.state = ContainerState.EXITED;
        record.exitCode = code.getAsInt();
        record.oomKilled = cgroups.containerOomKills(record.spec.teamId(), id) > 0;
        record.finishedAt = clock.instant();
        persist(record);
        detachNetwork(record);
        record.notifyAll();
        publish(new RuntimeEvent.ContainerExited(id, record.finishedAt, record.exitCode, record.oomKilled));
        if (record.oomKilled) {
            publish(new RuntimeEvent.ContainerOomKilled(id, record.finishedAt));
        }
    }

    private void publish(RuntimeEvent event) {
        for (Consumer<RuntimeEvent> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                log.warn("runtime event listener failed on {}", event, e);
            }
        }
    }

    private void loadTeams() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(teamsDir, "team-*.limits")) {
            for (Path file : files) {
                long teamId = Long.parseLong(file.getFileName().toString().replaceAll("\\D", ""));
                String[] parts = Files.readString(file).strip().split(" ");
                Resources limits = new Resources(parseOrNull(parts[0], Double::valueOf), parseOrNull(parts[1], Long::valueOf),
                        parseOrNull(parts[2], Long::valueOf));
                cgroups.applyTeamLimits(teamId, limits); // cgroups do not survive a reboot; the files do
                teams.put(teamId, new TeamLimits(teamId, limits, parts.length < 4 || Boolean.parseBoolean(parts[3])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read team limits in " + teamsDir, e);
        }
    }

    /** Corrects the owner and mode of each team's volume directory (written by an older version, or changed by hand). */
    private void secureVolumes() {
        PrivateTrees.directory(volumesDir, PrivateTrees.TRAVERSE_ONLY);
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(volumesDir, "team-*")) {
            for (Path dir : dirs) {
                String id = dir.getFileName().toString().substring("team-".length());
                if (id.matches("[1-9]\\d{0,9}") && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    PrivateTrees.teamDirectory(dir, IdMapping.forTeam(Long.parseLong(id), idMapBase));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read volumes in " + volumesDir, e);
        }
    }

    private static <T> T parseOrNull(String text, java.util.function.Function<String, T> parse) {
        return text.equals("null") ? null : parse.apply(text);
    }

    /** Rebuilds the view after a restart: runc and conmon's exit files say what happened meanwhile. */
    private void loadContainers() {
        Map<String, RuncProcessDriver.RuncState> runc = new java.util.HashMap<>();
        driver.list().forEach(s -> runc.put(s.id(), s));
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(containersDir)) {
            for (Path dir : dirs) {
                Path file = dir.resolve("container.json");
                if (!Files.exists(file)) {
                    log.warn("removing {}: a container creation that never finished", dir);
                    snapshots.removeActive(dir, dir.resolve("bundle").resolve("rootfs"));
                    deleteTree(dir);
                    continue;
                }
                ContainerRecord record = ContainerRecord.fromJson(Files.readString(file));
                PrivateTrees.secureContainer(dir, IdMapping.forTeam(record.spec.teamId(), idMapBase));
                containers.put(record.spec.id(), record);
                Optional<RuncProcessDriver.RuncState> state = Optional.ofNullable(runc.get(record.spec.id()));
                if (record.state == ContainerState.RUNNING && state.map(s -> s.status().equals("running")).orElse(false)) {
                    record.pid = state.get().pid();
                    log.info("container {} is still running (pid {})", record.spec.id(), record.pid);
                } else if (record.state == ContainerState.RUNNING) {
                    synchronized (record) {
                        markExited(record);
                        if (record.state == ContainerState.RUNNING) {
                            record.state = ContainerState.EXITED;
                            record.finishedAt = clock.instant();
                            persist(record);
                            log.warn("container {} was running but runc no longer knows it; marked exited with no exit code", record.spec.id());
                        }
                    }
                } else if (record.state == ContainerState.CREATED && state.isEmpty()) {
                    record.state = ContainerState.EXITED;
                    persist(record);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read containers in " + containersDir, e);
        }
    }

    private void persist(ContainerRecord record) {
        writeAtomically(containersDir.resolve(record.spec.id()).resolve("container.json"), PrivateTrees.PRIVATE_FILE, record.toJson());
    }

    private static void writeAtomically(Path file, java.util.Set<java.nio.file.attribute.PosixFilePermission> mode, String content) {
        try {
            Files.createDirectories(file.getParent());
            AtomicFiles.write(file, content, mode);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void deleteTree(Path dir) {
        try {
            FileTrees.delete(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    private static long hostMemory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // unknown
        }
        return 0;
    }
}
