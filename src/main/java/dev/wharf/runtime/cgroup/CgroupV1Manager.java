package dev.wharf.runtime.cgroup;

import static dev.wharf.runtime.cgroup.CgroupFiles.CPU_PERIOD_US;
import static dev.wharf.runtime.cgroup.CgroupFiles.readKeyed;
import static dev.wharf.runtime.cgroup.CgroupFiles.readNumber;
import static dev.wharf.runtime.cgroup.CgroupFiles.write;

import dev.wharf.runtime.api.ContainerStats;
import dev.wharf.runtime.api.Resources;
import dev.wharf.runtime.api.RuntimeFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * cgroup v1: one hierarchy per controller, or per co-mounted list such as {@code cpu,cpuacct},
 * mounted at {@code <mountRoot>/<controller list>}. The team cgroup is made in the memory, cpu,
 * cpuacct and pids hierarchies; runc makes container cgroups in every mounted hierarchy, so
 * cleanup visits all of them (named ones such as {@code name=systemd} and, on a hybrid host, the
 * unified one too).
 *
 * <p>With a relative root (the default {@code wharf}) the tree lies under this process's own
 * cgroup in each hierarchy, as /proc/self/cgroup lists it. That is where runc puts a relative
 * {@code cgroupsPath}: runc runs as a descendant of this process, so in the same cgroups. An
 * absolute root ({@code /wharf}) lies at the top of each hierarchy.
 *
 * <p>Memory limits include swap where the kernel accounts it ({@code memory.memsw.*}). Safe for
 * concurrent use.
 */
public final class CgroupV1Manager implements CgroupManager {

    private static final List<String> REQUIRED = List.of("memory", "cpu", "cpuacct", "pids");
    private static final String MEMORY_LIMIT = "memory.limit_in_bytes";
    private static final String MEMSW_LIMIT = "memory.memsw.limit_in_bytes";

    private final Path mountRoot;
    private final String root;
    private final List<Hierarchy> hierarchies;

    /**
     * @param mountRoot where the hierarchies are mounted, normally {@code /sys/fs/cgroup}
     * @param ownPaths  controller list → this process's cgroup path, as in /proc/self/cgroup
     *                  ({@code "memory" → "/system.slice/wharf.service"}, {@code "cpu,cpuacct" → "/"},
     *                  {@code "name=systemd" → "/"}, and {@code "" → "/"} for the v2 line of a hybrid host);
     *                  ({@link Cgroups#detect} reads them from the host)
     * @param root      Wharf's root: relative ({@code wharf}) under the own cgroup, or absolute ({@code /wharf})
     */
    public CgroupV1Manager(Path mountRoot, Map<String, String> ownPaths, String root) {
        this.mountRoot = mountRoot;
        this.root = CgroupFiles.checkRoot(root);
        this.hierarchies = ownPaths.entrySet().stream().map(own -> hierarchy(own.getKey(), own.getValue())).toList();
    }

    @Override
    public String version() {
        return "v1";
    }

    @Override
    public synchronized void applyTeamLimits(long teamId, Resources limits) {
        Resources resources = limits == null ? Resources.UNLIMITED : limits;
        Hierarchy memory = required("memory");
        Hierarchy cpu = required("cpu");
        Hierarchy pids = required("pids");
        Set<Hierarchy> used = new LinkedHashSet<>(List.of(memory, cpu, required("cpuacct"), pids));
        used.forEach(hierarchy -> CgroupFiles.createDirectories(hierarchy.team(teamId)));

        writeMemoryLimit(memory.team(teamId), resources.memoryBytes());
        Path cpuTeam = cpu.team(teamId);
        write(cpuTeam.resolve("cpu.cfs_period_us"), String.valueOf(CPU_PERIOD_US));
        write(cpuTeam.resolve("cpu.cfs_quota_us"),
                resources.cpus() == null ? "-1" : String.valueOf(CgroupFiles.cpuQuotaMicros(resources.cpus())));
        write(pids.team(teamId).resolve("pids.max"), resources.pids() == null ? "max" : resources.pids().toString());
    }

    /**
     * The memory limit files in an order the kernel accepts: it refuses any step that would leave
     * memory+swap below memory, so a raise writes {@code memsw} first and a cut writes it last.
     *
     * @param current   the cgroup's {@code memory.limit_in_bytes} now
     * @param requested the new limit, {@code null} for unlimited
     */
    static List<String> memoryWriteOrder(long current, Long requested) {
        boolean raising = requested == null || requested >= current;
        return raising ? List.of(MEMSW_LIMIT, MEMORY_LIMIT) : List.of(MEMORY_LIMIT, MEMSW_LIMIT);
    }

    private static void writeMemoryLimit(Path team, Long bytes) {
        String value = bytes == null ? "-1" : bytes.toString();
        if (!Files.exists(team.resolve(MEMSW_LIMIT))) {
            write(team.resolve(MEMORY_LIMIT), value);
            return;
        }
        for (String file : memoryWriteOrder(readNumber(team.resolve(MEMORY_LIMIT)), bytes)) {
            write(team.resolve(file), value);
        }
    }

    /** Relative root: {@code <root>/team-N/ctr-ID}, placed by runc under its own cgroup; absolute: {@code /<root>/team-N/ctr-ID}. */
    @Override
    public String containerCgroupsPath(long teamId, String containerId) {
        return root + "/" + CgroupFiles.teamName(teamId) + "/" + CgroupFiles.containerName(containerId);
    }

    @Override
    public ContainerStats containerStats(long teamId, String containerId) {
        Path memory = CgroupFiles.requireContainer(required("memory").container(teamId, containerId), containerId);
        Path cpuacct = CgroupFiles.requireContainer(required("cpuacct").container(teamId, containerId), containerId);
        Path pids = CgroupFiles.requireContainer(required("pids").container(teamId, containerId), containerId);
        return new ContainerStats(
                readNumber(cpuacct.resolve("cpuacct.usage")) / 1e9,
                readNumber(memory.resolve("memory.usage_in_bytes")),
                CgroupFiles.effectiveLimit(memory.resolve(MEMORY_LIMIT), memory.getParent().resolve(MEMORY_LIMIT)),
                readNumber(pids.resolve("pids.current")),
                readKeyed(memory.resolve("memory.oom_control"), "oom_kill"));
    }

    @Override
    public long containerOomKills(long teamId, String containerId) {
        Path memory = required("memory").container(teamId, containerId);
        return Files.isDirectory(memory) ? readKeyed(memory.resolve("memory.oom_control"), "oom_kill") : 0;
    }

    @Override
    public void removeContainer(long teamId, String containerId) {
        hierarchies.forEach(hierarchy -> CgroupFiles.removeCgroup(hierarchy.container(teamId, containerId)));
    }

    @Override
    public boolean removeTeam(long teamId) {
        return CgroupFiles.removeTeamCgroups(hierarchies.stream().map(hierarchy -> hierarchy.team(teamId)).toList());
    }

    @Override
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        Set<Hierarchy> present = new LinkedHashSet<>();
        for (String controller : REQUIRED) {
            mounted(controller).ifPresentOrElse(present::add, () -> problems.add(missing(controller)));
        }
        present.forEach(hierarchy -> CgroupFiles.probe(hierarchy.wharfRoot()).ifPresent(problems::add));
        return problems;
    }

    private Hierarchy hierarchy(String controllers, String ownPath) {
        Path dir = mountRoot.resolve(directoryName(controllers));
        Path wharfRoot = CgroupFiles.under(CgroupFiles.isAbsolute(root) ? dir : CgroupFiles.under(dir, ownPath), root);
        return new Hierarchy(List.of(controllers.split(",")), dir, wharfRoot);
    }

    /** Where a hierarchy is mounted: {@code name=systemd} at {@code systemd}, a hybrid host's v2 line at {@code unified}. */
    private static String directoryName(String controllers) {
        if (controllers.isEmpty()) {
            return "unified";
        }
        return controllers.startsWith("name=") ? controllers.substring("name=".length()) : controllers;
    }

    private Optional<Hierarchy> mounted(String controller) {
        return hierarchies.stream()
                .filter(hierarchy -> hierarchy.controllers().contains(controller) && Files.isDirectory(hierarchy.dir()))
                .findFirst();
    }

    private Hierarchy required(String controller) {
        return mounted(controller).orElseThrow(() -> new RuntimeFailure(RuntimeFailure.Kind.UNAVAILABLE, missing(controller)));
    }

    private String missing(String controller) {
        Path dir = hierarchies.stream().filter(hierarchy -> hierarchy.controllers().contains(controller))
                .map(Hierarchy::dir).findFirst().orElse(mountRoot.resolve(controller));
        return "cgroup v1 hierarchy " + dir + " is missing: the " + controller + " controller is required";
    }

    /** One mounted hierarchy and where Wharf's tree lies in it. */
    private record Hierarchy(List<String> controllers, Path dir, Path wharfRoot) {

        Path team(long teamId) {
            return wharfRoot.resolve(CgroupFiles.teamName(teamId));
        }

        Path container(long teamId, String containerId) {
            return team(teamId).resolve(CgroupFiles.containerName(containerId));
        }
    }
}
