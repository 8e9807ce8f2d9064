package dev.wharf.runtime.cgroup;

import static dev.wharf.runtime.cgroup.CgroupFiles.CPU_PERIOD_US;
import static dev.wharf.runtime.cgroup.CgroupFiles.read;
import static dev.wharf.runtime.cgroup.CgroupFiles.readKeyed;
import static dev.wharf.runtime.cgroup.CgroupFiles.readNumber;
import static dev.wharf.runtime.cgroup.CgroupFiles.write;

import dev.wharf.runtime.api.ContainerStats;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.RuntimeFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * cgroup v2: one unified hierarchy at {@code mountRoot}. A cgroup gets a controller only when its
 * parent lists it in {@code cgroup.subtree_control}, so Wharf enables {@code cpu memory pids} in
 * every directory from the top of its tree down to the team cgroup (whose containers get them from
 * the team's own {@code subtree_control}).
 *
 * <p>The kernel lets no non-root cgroup both hold processes and enable controllers. With a
 * relative root (the default {@code wharf}: the tree under this process's own cgroup, as under
 * systemd with {@code Delegate=yes}), the processes of the own cgroup, Wharf itself among them,
 * first move into a leaf {@code <own cgroup>/supervisor} beside the tree. An absolute root
 * ({@code /wharf}) starts at the root cgroup, which is exempt.
 *
 * <p>Memory limits forbid swap beyond them ({@code memory.swap.max} 0). Safe for concurrent use.
 */
public final class CgroupV2Manager implements CgroupManager {

    /** The leaf that the processes of the own cgroup move into. */
    static final String SUPERVISOR = "supervisor";
    private static final List<String> CONTROLLERS = List.of("cpu", "memory", "pids");
    private static final String ENABLE = "+cpu +memory +pids";

    private final Path mountRoot;
    /** this process's own cgroup */
    private final Path base;
    /** the highest directory in which Wharf enables controllers: the own cgroup, or the mount root for an absolute root */
    private final Path top;
    private final Path wharfRoot;

    /**
     * @param mountRoot where cgroup2 is mounted, normally {@code /sys/fs/cgroup}
     * @param ownPath   this process's cgroup, the {@code 0::} line of /proc/self/cgroup
     *                  ({@code /system.slice/wharf.service}); a path ending in {@code /supervisor}
     *                  means its parent, since that is where this class moves the own processes
     * @param root      Wharf's root: relative ({@code wharf}) under the own cgroup, or absolute ({@code /wharf})
     */
    public CgroupV2Manager(Path mountRoot, String ownPath, String root) {
        String own = ownPath.endsWith("/" + SUPERVISOR) ? ownPath.substring(0, ownPath.length() - SUPERVISOR.length() - 1) : ownPath;
        this.mountRoot = mountRoot;
        this.base = CgroupFiles.under(mountRoot, own);
        this.top = CgroupFiles.isAbsolute(CgroupFiles.checkRoot(root)) ? mountRoot : base;
        this.wharfRoot = CgroupFiles.under(top, root);
    }

    @Override
    public String version() {
        return "v2";
    }

    @Override
    public synchronized void applyTeamLimits(long teamId, Resources limits) {
        Resources resources = limits == null ? Resources.UNLIMITED : limits;
        Path team = team(teamId);
        List<String> missing = missingControllers();
        if (!missing.isEmpty()) {
            throw new RuntimeFailure(RuntimeFailure.Kind.UNAVAILABLE, String.join("; ", missing));
        }
        if (!top.equals(mountRoot)) {
            moveProcessesToSupervisor();
        }
        List<Path> path = new ArrayList<>(List.of(top));
        top.relativize(team).forEach(name -> path.add(path.get(path.size() - 1).resolve(name)));
        for (Path dir : path) {
            CgroupFiles.createDirectories(dir);
            write(dir.resolve("cgroup.subtree_control"), ENABLE);
        }

        Long memory = resources.memoryBytes();
        write(team.resolve("memory.max"), memory == null ? "max" : memory.toString());
        Path swap = team.resolve("memory.swap.max");
        if (Files.exists(swap)) {
            write(swap, memory == null ? "max" : "0");
        }
        String quota = resources.cpus() == null ? "max" : String.valueOf(CgroupFiles.cpuQuotaMicros(resources.cpus()));
        write(team.resolve("cpu.max"), quota + " " + CPU_PERIOD_US);
        write(team.resolve("pids.max"), resources.pids() == null ? "max" : resources.pids().toString());
    }

    /** Always absolute ({@code /system.slice/wharf.service/wharf/team-N/ctr-ID}): v2 has a single hierarchy. */
    @Override
    public String containerCgroupsPath(long teamId, String containerId) {
        return "/" + mountRoot.relativize(container(teamId, containerId));
    }

    @Override
    public ContainerStats containerStats(long teamId, String containerId) {
        Path container = CgroupFiles.requireContainer(container(teamId, containerId), containerId);
        return new ContainerStats(
                readKeyed(container.resolve("cpu.stat"), "usage_usec") / 1e6,
                readNumber(container.resolve("memory.current")),
                CgroupFiles.effectiveLimit(container.resolve("memory.max"), container.getParent().resolve("memory.max")),
                readNumber(container.resolve("pids.current")),
                readKeyed(container.resolve("memory.events"), "oom_kill"));
    }

    @Override
    public long containerOomKills(long teamId, String containerId) {
        Path container = container(teamId, containerId);
        return Files.isDirectory(container) ? readKeyed(container.resolve("memory.events"), "oom_kill") : 0;
    }

    @Override
    public void removeContainer(long teamId, String containerId) {
        CgroupFiles.removeCgroup(container(teamId, containerId));
    }

    @Override
    public boolean removeTeam(long teamId) {
        return CgroupFiles.removeTeamCgroups(List.of(team(teamId)));
    }

    @Override
    public List<String> problems() {
        List<String> problems = new ArrayList<>(missingControllers());
        CgroupFiles.probe(wharfRoot).ifPresent(problems::add);
        return problems;
    }

    private List<String> missingControllers() {
        Path file = top.resolve("cgroup.controllers");
        if (!Files.exists(file)) {
            return List.of("cgroup v2 is not available at " + top + ": " + file + " is missing");
        }
        List<String> available = List.of(read(file).split("\\s+"));
        return CONTROLLERS.stream().filter(controller -> !available.contains(controller))
                .map(controller -> "cgroup v2 controller " + controller + " is not available in " + file)
                .toList();
    }

    /** Empties the own cgroup into its {@code supervisor} leaf, so that it may enable controllers for Wharf's tree. */
    private void moveProcessesToSupervisor() {
        List<String> pids = processes(base);
        if (pids.isEmpty()) {
            return;
        }
        Path supervisor = base.resolve(SUPERVISOR);
        CgroupFiles.createDirectories(supervisor);
        for (String pid : pids) {
            try {
                write(supervisor.resolve("cgroup.procs"), pid);
            } catch (RuntimeFailure e) {
                if (processes(base).contains(pid)) {
                    throw e;
                }
                // the process exited meanwhile: nothing to move
            }
        }
    }

    private static List<String> processes(Path cgroup) {
        return read(cgroup.resolve("cgroup.procs")).lines().toList();
    }

    private Path team(long teamId) {
        return wharfRoot.resolve(CgroupFiles.teamName(teamId));
    }

    private Path container(long teamId, String containerId) {
        return team(teamId).resolve(CgroupFiles.containerName(containerId));
    }
}
