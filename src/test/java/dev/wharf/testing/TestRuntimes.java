package dev.wharf.testing;

import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.RuntimeService;
import dev.wharf.runtime.local.RuntimeSettings;
import java.nio.file.Path;
import java.util.Set;

/** Runtimes for tests and benchmarks on this host's kernel. */
public final class TestRuntimes {

    private TestRuntimes() {
    }

    /** Settings for a runtime on {@code dataDir} with its own cgroup root: 1 MiB logs, 1 GiB layers, 2 GiB images. */
    public static RuntimeSettings settings(Path dataDir, String cgroupRoot, long idMapBase, Set<String> insecureRegistries) {
        return new RuntimeSettings(dataDir, cgroupRoot, Path.of("/sys/fs/cgroup"), idMapBase, "runc", "conmon", 1 << 20, 1L << 30,
                2L << 30, insecureRegistries);
    }

    /** Removes every container the runtime has, running or not. */
    public static void removeAll(RuntimeService runtime) {
        for (ContainerInfo info : runtime.list()) {
            runtime.remove(info.id(), true);
        }
    }
}
