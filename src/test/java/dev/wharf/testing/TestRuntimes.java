package dev.wharf.testing;

import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.RuntimeService;
import dev.wharf.runtime.local.LocalRuntime;
import dev.wharf.runtime.local.RuntimeSettings;
import dev.wharf.runtime.network.NetworkSettings;
import java.nio.file.Path;
import java.util.Set;

/** Runtimes for tests and benchmarks on this host's kernel. */
public final class TestRuntimes {

    private TestRuntimes() {
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /**
     * Settings for a runtime on {@code dataDir} with its own cgroup root: 1 MiB logs, 1 GiB layers,
     * 2 GiB images, and team networks of its own (a random bridge prefix and /16 pool), so runtimes
     * of different tests never share a bridge or an iptables chain.
     */
    public static RuntimeSettings settings(Path dataDir, String cgroupRoot, long idMapBase, Set<String> insecureRegistries) {
        return settings(dataDir, cgroupRoot, idMapBase, insecureRegistries, network());
    }

    /** As above, with the given team network settings (to open a runtime again on the same networks). */
    public static RuntimeSettings settings(Path dataDir, String cgroupRoot, long idMapBase, Set<String> insecureRegistries,
            NetworkSettings network) {
        return new RuntimeSettings(dataDir, cgroupRoot, Path.of("/sys/fs/cgroup"), idMapBase, "runc", "conmon", 1 << 20, 1L << 30,
                2L << 30, insecureRegistries, network, 500_000, 1_000_000);
    }

    /** The same settings with another init binary ({@code wharf.runtime.init}). */
    public static RuntimeSettings withInit(RuntimeSettings s, Path init) {
        return new RuntimeSettings(s.dataDir(), s.cgroupRoot(), s.cgroupMount(), s.idMapBase(), s.runc(), s.conmon(), s.logMaxBytes(),
                s.maxLayerBytes(), s.maxImageBytes(), s.insecureRegistries(), s.network(), s.maxLayerEntries(), s.maxImageEntries(),
                s.privateRegistries(), init);
    }

    /** Team network settings no other test runtime has: bridges {@code wt<4 random>N}, a random {@code 10.x.0.0/16}. */
    public static NetworkSettings network() {
        String letters = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder prefix = new StringBuilder("wt");
        for (int i = 0; i < 4; i++) {
            prefix.append(letters.charAt(RANDOM.nextInt(letters.length())));
        }
        return new NetworkSettings(null, "10." + (100 + RANDOM.nextInt(150)) + ".0.0/16", 24, prefix.toString());
    }

    /** Whether runc and conmon are on the PATH (what a runtime on this host needs besides root). */
    public static boolean runcAndConmonInstalled() {
        return onPath("runc") && onPath("conmon");
    }

    private static boolean onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (!dir.isEmpty() && java.nio.file.Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }

    /** Removes these containers, running or not, where the runtime still has them. */
    public static void remove(RuntimeService runtime, java.util.Collection<String> ids) {
        for (String id : ids) {
            try {
                runtime.remove(id, true);
            } catch (dev.wharf.runtime.api.RuntimeFailure e) {
                if (e.kind() != dev.wharf.runtime.api.RuntimeFailure.Kind.NOT_FOUND) {
                    throw e;
                }
            }
        }
    }

    /** Removes every container the runtime has, running or not, and (for a local runtime) its networks' bridges and rules. */
    public static void removeAll(RuntimeService runtime) {
        for (ContainerInfo info : runtime.list()) {
            runtime.remove(info.id(), true);
        }
        if (runtime instanceof LocalRuntime local) {
            local.removeNetworks();
            local.unmountVolumes(); // their images go with the work dir
        }
    }
}
