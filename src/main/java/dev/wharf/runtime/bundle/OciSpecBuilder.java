package dev.wharf.runtime.bundle;

import dev.wharf.runtime.api.ContainerSpec;
import dev.wharf.runtime.api.IdMapping;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.TmpfsMount;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes the OCI runtime spec ({@code config.json}) of one container, with the security defaults
 * of {@code runc spec} and Docker: every namespace new (user namespace mapped onto the team's id
 * slice), Docker's 14 default capabilities, no new privileges, Docker's seccomp profile, runc's
 * masked and read-only {@code /proc} and {@code /sys} paths, all devices denied but runc's
 * defaults, and Docker's open-files limit of 1048576 (or the runtime's own limit, where it lacks
 * {@code CAP_SYS_RESOURCE} to raise it).
 *
 * <p>The request cannot ask for privileged mode, host namespaces, more capabilities or host
 * mounts, and this class offers no way to add them: the only host paths in the spec are the
 * three optional read-only files of {@link BundleRequest}, the team's volume directories and, for
 * a container that asks for an init, the host's static init binary, bound read-only, {@code nosuid}
 * and {@code nodev} at {@link #INIT_PATH} (on runc's {@code /dev} tmpfs, so it hides nothing of the
 * image and needs no mount point in a read-only root). The init runs the command as
 * {@code [INIT_PATH, "--", args…]}.
 *
 * <p>Volumes and tmpfs mounts ({@code nosuid,nodev}, mode 1777, their size) are mounted parents
 * first, so a mount inside another lands on it rather than under it. A read-only root leaves them,
 * {@code /dev}, {@code /dev/shm} and the name files as they are.
 *
 * <p>The spec expects the container's root filesystem at {@code <bundle>/rootfs}, owned by the
 * team's mapped ids. A caller writes {@link #json} to {@code <bundle>/config.json} and runs
 * {@code runc --root <state> run|create --bundle <bundle> <id>}.
 */
public final class OciSpecBuilder {

    /** Docker's default capabilities, in Docker's order; a container gets exactly these. */
    public static final List<String> CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
            "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
            "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");

    /** Every namespace kind, always new: a container never joins the host's or another container's. */
    private static final List<String> NAMESPACES = List.of("pid", "network", "ipc", "uts", "mount", "cgroup", "user");

    /** runc's default masked paths: bind-mounted over with an empty file or directory. */
    private static final List<String> MASKED_PATHS = List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
            "/sys/firmware", "/sys/devices/virtual/powercap");

    /** runc's default read-only paths. */
    private static final List<String> READONLY_PATHS = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
            "/proc/sysrq-trigger");

    private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final long CPU_PERIOD_MICROS = 100_000;
    /** The kernel refuses CFS quotas below 1 ms. */
    private static final long MIN_CPU_QUOTA_MICROS = 1_000;
    private static final List<String> READ_ONLY_FILE = List.of("bind", "ro", "nosuid", "nodev", "noexec");
    /** Where a container that asks for an init finds it; its process runs {@code [INIT_PATH, "--", args…]}. */
    public static final String INIT_PATH = "/dev/init";
    private static final List<String> INIT_BIND = List.of("bind", "ro", "nosuid", "nodev");

    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private final ObjectNode seccomp;
    private final long nofile;

    /** A builder for this host; {@code UNAVAILABLE} where there is no seccomp profile for its architecture. */
    public OciSpecBuilder() {
        this(SeccompProfiles.forHost(), NofileLimit.forHost());
    }

    /**
     * @param seccomp the {@code linux.seccomp} profile, copied into every spec
     * @param nofile  soft and hard {@code RLIMIT_NOFILE} of the container's process
     */
    OciSpecBuilder(ObjectNode seccomp, long nofile) {
        this.seccomp = seccomp;
        this.nofile = nofile;
    }

    /** The spec as a tree; each call returns a new one. */
    public ObjectNode build(BundleRequest request) {
        ContainerSpec spec = request.spec();
        ObjectNode config = JSON.createObjectNode();
        config.put("ociVersion", "1.0.2");
        config.set("process", process(spec, request.user()));
        ObjectNode root = config.putObject("root");
        root.put("path", "rootfs");
        root.put("readonly", spec.options().readOnlyRootfs());
        config.put("hostname", spec.name());
        config.set("mounts", mounts(request));
        config.set("linux", linux(request));
        return config;
    }

    /** The spec as pretty-printed JSON, ready to be written to {@code <bundle>/config.json}. */
    public String json(BundleRequest request) {
        return JSON.writeValueAsString(build(request));
    }

    private ObjectNode process(ContainerSpec spec, ProcessUser processUser) {
        ObjectNode process = JSON.createObjectNode();
        process.put("terminal", false);
        ObjectNode user = process.putObject("user");
        user.put("uid", processUser.uid());
        user.put("gid", processUser.gid());
        if (!processUser.additionalGids().isEmpty()) {
            processUser.additionalGids().forEach(user.putArray("additionalGids")::add);
        }
        ArrayNode args = process.putArray("args");
        if (spec.options().init()) {
            strings(args, List.of(INIT_PATH, "--"));
        }
        strings(args, spec.args());
        strings(process.putArray("env"), env(spec, processUser));
        process.put("cwd", spec.workingDir());
        ObjectNode capabilities = process.putObject("capabilities");
        strings(capabilities.putArray("bounding"), CAPABILITIES);
        strings(capabilities.putArray("effective"), CAPABILITIES);
        strings(capabilities.putArray("permitted"), CAPABILITIES);
        capabilities.putArray("inheritable");
        capabilities.putArray("ambient");
        ObjectNode openFiles = process.putArray("rlimits").addObject();
        openFiles.put("type", "RLIMIT_NOFILE");
        openFiles.put("hard", nofile);
        openFiles.put("soft", nofile);
        process.put("noNewPrivileges", true);
        process.put("oomScoreAdj", 0);
        return process;
    }

    /** PATH, HOSTNAME and HOME (the user's, else {@code /}) unless the spec sets them, then the spec's variables sorted by name. */
    private static List<String> env(ContainerSpec spec, ProcessUser user) {
        Map<String, String> env = new TreeMap<>(spec.env());
        List<String> entries = new ArrayList<>();
        if (!env.containsKey("PATH")) {
            entries.add("PATH=" + DEFAULT_PATH);
        }
        if (!env.containsKey("HOSTNAME")) {
            entries.add("HOSTNAME=" + spec.name());
        }
        if (!env.containsKey("HOME")) {
            entries.add("HOME=" + (user.home() == null || user.home().isBlank() ? "/" : user.home()));
        }
        env.forEach((key, value) -> entries.add(key + "=" + value));
        return entries;
    }

    private static ArrayNode mounts(BundleRequest request) {
        ArrayNode mounts = JSON.createArrayNode();
        mount(mounts, "/proc", "proc", "proc", List.of());
        mount(mounts, "/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k"));
        mount(mounts, "/dev/pts", "devpts", "devpts",
                List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"));
        mount(mounts, "/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k"));
        mount(mounts, "/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev"));
        mount(mounts, "/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro"));
        mount(mounts, "/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", "ro"));
        // the rest parents first (a volume at /etc must not hide /etc/hosts), in this order among equals
        List<ObjectNode> placed = new ArrayList<>();
        readOnlyFile(placed, "/etc/hosts", request.hostsFile());
        readOnlyFile(placed, "/etc/resolv.conf", request.resolvConfFile());
        readOnlyFile(placed, "/etc/hostname", request.hostnameFile());
        if (request.spec().options().init()) {
            placed.add(mountNode(INIT_PATH, "bind", request.init().toString(), INIT_BIND));
        }
        for (BundleRequest.VolumeBind volume : request.volumes()) {
            placed.add(mountNode(volume.destination(), "bind", volume.source().toString(),
                    List.of("rbind", volume.readOnly() ? "ro" : "rw", "nosuid", "nodev")));
        }
        for (TmpfsMount tmpfs : request.spec().options().tmpfs()) {
            placed.add(mountNode(tmpfs.path(), "tmpfs", "tmpfs", List.of("nosuid", "nodev", "mode=1777", "size=" + tmpfs.sizeBytes())));
        }
        placed.sort(Comparator.comparingInt(m -> depth(m.get("destination").asString())));
        placed.forEach(mounts::add);
        return mounts;
    }

    /** Path components of a mount destination: {@code /a/b} is 2. */
    private static int depth(String destination) {
        String normalized = TmpfsMount.normalize(destination);
        return normalized.equals("/") ? 0 : (int) normalized.chars().filter(c -> c == '/').count();
    }

    private static void readOnlyFile(List<ObjectNode> mounts, String destination, Path source) {
        if (source != null) {
            mounts.add(mountNode(destination, "bind", source.toString(), READ_ONLY_FILE));
        }
    }

    private static void mount(ArrayNode mounts, String destination, String type, String source, List<String> options) {
        mounts.add(mountNode(destination, type, source, options));
    }

    private static ObjectNode mountNode(String destination, String type, String source, List<String> options) {
        ObjectNode mount = JSON.createObjectNode();
        mount.put("destination", destination);
        mount.put("type", type);
        mount.put("source", source);
        if (!options.isEmpty()) {
            strings(mount.putArray("options"), options);
        }
        return mount;
    }

    private ObjectNode linux(BundleRequest request) {
        ObjectNode linux = JSON.createObjectNode();
        idMapping(linux.putArray("uidMappings"), request.ids());
        idMapping(linux.putArray("gidMappings"), request.ids());
        ArrayNode namespaces = linux.putArray("namespaces");
        NAMESPACES.forEach(type -> namespaces.addObject().put("type", type));
        linux.put("cgroupsPath", request.cgroupsPath());
        linux.set("resources", resources(request.spec().resources()));
        strings(linux.putArray("maskedPaths"), MASKED_PATHS);
        strings(linux.putArray("readonlyPaths"), READONLY_PATHS);
        linux.set("seccomp", seccomp.deepCopy());
        return linux;
    }

    private static void idMapping(ArrayNode mappings, IdMapping ids) {
        ObjectNode mapping = mappings.addObject();
        mapping.put("containerID", 0);
        mapping.put("hostID", ids.hostBase());
        mapping.put("size", ids.size());
    }

    private static ObjectNode resources(Resources limits) {
        ObjectNode resources = JSON.createObjectNode();
        ObjectNode denyAll = resources.putArray("devices").addObject();
        denyAll.put("allow", false);
        denyAll.put("access", "rwm");
        if (limits.memoryBytes() != null) {
            ObjectNode memory = resources.putObject("memory");
            memory.put("limit", limits.memoryBytes());
            memory.put("swap", limits.memoryBytes());
        }
        if (limits.cpus() != null) {
            ObjectNode cpu = resources.putObject("cpu");
            cpu.put("quota", Math.max(MIN_CPU_QUOTA_MICROS, Math.round(limits.cpus() * CPU_PERIOD_MICROS)));
            cpu.put("period", CPU_PERIOD_MICROS);
        }
        if (limits.pids() != null) {
            resources.putObject("pids").put("limit", limits.pids());
        }
        return resources;
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }
}
