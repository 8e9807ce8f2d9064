package dev.wharf.runtime.cgroup;

import dev.wharf.runtime.api.RuntimeFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Picks the {@link CgroupManager} for this host: {@link CgroupV2Manager} when {@code mountRoot}
 * is a unified cgroup2 mount ({@code cgroup.controllers} at its top), otherwise
 * {@link CgroupV1Manager}. A hybrid host (v1 hierarchies plus an empty cgroup2 at
 * {@code /sys/fs/cgroup/unified}) is v1.
 */
public final class Cgroups {

    private Cgroups() {
    }

    /**
     * @param mountRoot      normally {@code /sys/fs/cgroup}
     * @param procSelfCgroup normally {@code /proc/self/cgroup}: where this process sits in each hierarchy
     * @param root           Wharf's root: relative ({@code wharf}, under this process's own cgroup) or absolute ({@code /wharf})
     */
    public static CgroupManager detect(Path mountRoot, Path procSelfCgroup, String root) {
        Map<String, String> ownPaths = parseProcSelfCgroup(CgroupFiles.read(procSelfCgroup));
        if (Files.exists(mountRoot.resolve("cgroup.controllers"))) {
            return new CgroupV2Manager(mountRoot, ownPaths.getOrDefault("", "/"), root);
        }
        return new CgroupV1Manager(mountRoot, ownPaths, root);
    }

    /**
     * Parses /proc/self/cgroup ({@code id:controllers:path} per line) into controller list → path,
     * in file order: {@code "cpu,cpuacct" → "/"}, {@code "name=systemd" → "/"}, and {@code "" → path}
     * for the cgroup v2 line ({@code 0::/system.slice/wharf.service}).
     */
    static Map<String, String> parseProcSelfCgroup(String content) {
        Map<String, String> ownPaths = new LinkedHashMap<>();
        content.lines().filter(line -> !line.isBlank()).forEach(line -> {
            String[] fields = line.split(":", 3);
            if (fields.length != 3) {
                throw new RuntimeFailure(RuntimeFailure.Kind.INTERNAL, "unexpected line in /proc/self/cgroup: '" + line + "'");
            }
            ownPaths.put(fields[1], fields[2]);
        });
        return ownPaths;
    }
}
