package dev.wharf.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/** The cgroups a test or benchmark made under its own root name, on a v1 or hybrid host. */
public final class TestCgroups {

    private TestCgroups() {
    }

    /** Hierarchy directory name (under /sys/fs/cgroup) → this process's cgroup path in it. */
    public static Map<String, String> own() throws IOException {
        Map<String, String> own = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] parts = line.split(":", 3);
            // the "0::" line is the v2 hierarchy, mounted at "unified" on hybrid hosts (runc uses it too)
            own.put(parts[1].isEmpty() ? "unified" : parts[1].replace("name=", ""), parts[2]);
        }
        return own;
    }

    /** rmdir (only directories, deepest first) of {@code <hierarchy>/<own path>/<root>} in every hierarchy. */
    public static void removeTree(String root) throws IOException {
        for (Map.Entry<String, String> own : own().entrySet()) {
            Path top = Path.of("/sys/fs/cgroup", own.getKey()).resolve(own.getValue().substring(1)).resolve(root);
            if (!Files.isDirectory(top)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(top)) {
                for (Path dir : walk.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(dir);
                }
            }
        }
    }
}
