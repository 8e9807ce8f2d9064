package dev.wharf.runtime.api;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What to run. Privileged mode, host namespaces and host bind mounts are deliberately not
 * expressible here: teams cannot ask for them.
 *
 * @param id         runtime-wide unique id, 1-64 of [a-z0-9]
 * @param name       DNS-label name, also the container's hostname
 * @param teamId     owning team: decides the cgroup parent and the uid/gid range
 * @param args       the process to run (argv; required)
 * @param env        environment, {@code KEY -> value}
 * @param workingDir absolute path inside the container (default {@code /})
 * @param user       {@code user[:group]} inside the container, each a number or a name the image's
 *                   {@code /etc/passwd} or {@code /etc/group} gives (default {@code 0:0}); the node resolves names at create
 * @param resources  the container's own limits (the team's limits hold on top of them)
 * @param stopSignal signal that asks the process to stop (default {@code TERM})
 * @param volumes    team volumes to mount (the team's own, by name; never host paths)
 * @param network    the team's network (with aliases and published ports) or loopback only
 * @param options    init, tmpfs mounts, a read-only root and the health check
 */
public record ContainerSpec(String id, String name, long teamId, Rootfs rootfs, List<String> args, Map<String, String> env,
        String workingDir, String user, Resources resources, String stopSignal, List<VolumeMount> volumes, NetworkSpec network,
        RunOptions options) {

    /** A spec with the default options. */
    public ContainerSpec(String id, String name, long teamId, Rootfs rootfs, List<String> args, Map<String, String> env,
            String workingDir, String user, Resources resources, String stopSignal, List<VolumeMount> volumes, NetworkSpec network) {
        this(id, name, teamId, rootfs, args, env, workingDir, user, resources, stopSignal, volumes, network, RunOptions.DEFAULT);
    }

    /** A spec without volumes, with loopback only. */
    public ContainerSpec(String id, String name, long teamId, Rootfs rootfs, List<String> args, Map<String, String> env,
            String workingDir, String user, Resources resources, String stopSignal) {
        this(id, name, teamId, rootfs, args, env, workingDir, user, resources, stopSignal, List.of(), NetworkSpec.NONE);
    }

    /** A spec with loopback only. */
    public ContainerSpec(String id, String name, long teamId, Rootfs rootfs, List<String> args, Map<String, String> env,
            String workingDir, String user, Resources resources, String stopSignal, List<VolumeMount> volumes) {
        this(id, name, teamId, rootfs, args, env, workingDir, user, resources, stopSignal, volumes, NetworkSpec.NONE);
    }

    private static final Pattern ID = Pattern.compile("[a-z0-9]{1,64}");
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,31})?");
    private static final Pattern NUMBER = Pattern.compile("\\d+");
    private static final Pattern ENV_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    public ContainerSpec {
        if (id == null || !ID.matcher(id).matches()) {
            throw RuntimeFailure.invalid("container id must be 1-64 lowercase letters or digits, got " + id);
        }
        if (name == null || !NAME.matcher(name).matches()) {
            throw RuntimeFailure.invalid("container name must be a DNS label, got " + name);
        }
        if (teamId < 1) {
            throw RuntimeFailure.invalid("team id must be positive, got " + teamId);
        }
        if (rootfs == null) {
            throw RuntimeFailure.invalid("a rootfs is required");
        }
        if (args == null || args.isEmpty() || args.get(0).isBlank()) {
            throw RuntimeFailure.invalid("a command is required");
        }
        args = List.copyOf(args);
        env = env == null ? Map.of() : Map.copyOf(env);
        env.keySet().forEach(key -> {
            if (!ENV_KEY.matcher(key).matches()) {
                throw RuntimeFailure.invalid("environment variable name \"" + key + "\" is not valid");
            }
        });
        workingDir = workingDir == null || workingDir.isBlank() ? "/" : workingDir;
        if (!workingDir.startsWith("/")) {
            throw RuntimeFailure.invalid("workingDir must be an absolute path, got " + workingDir);
        }
        user = user == null || user.isBlank() ? "0:0" : user;
        if (!USER.matcher(user).matches()) {
            throw RuntimeFailure.invalid("user must be user[:group], each a name or a number, got " + user);
        }
        for (String part : user.split(":")) {
            if (NUMBER.matcher(part).matches() && (part.length() > 5 || Integer.parseInt(part) > 65535)) {
                throw RuntimeFailure.invalid("user and group numbers must be below 65536, got " + user);
            }
        }
        resources = resources == null ? Resources.UNLIMITED : resources;
        stopSignal = stopSignal == null || stopSignal.isBlank() ? "TERM" : Signals.normalize(stopSignal);
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        if (volumes.stream().map(VolumeMount::path).distinct().count() != volumes.size()) {
            throw RuntimeFailure.invalid("two volumes are mounted at the same path");
        }
        network = network == null ? NetworkSpec.NONE : network;
        options = options == null ? RunOptions.DEFAULT : options;
        List<String> volumePaths = volumes.stream().map(v -> TmpfsMount.normalize(v.path())).toList();
        options.tmpfs().stream().filter(t -> volumePaths.contains(t.path())).findFirst().ifPresent(t -> {
            throw RuntimeFailure.invalid("a volume and a tmpfs are both mounted at " + t.path());
        });
    }
}
