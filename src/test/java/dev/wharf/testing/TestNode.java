package dev.wharf.testing;

import dev.wharf.runtime.api.RuntimeService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * What a Spring test that runs real containers needs around the server: a work dir (0711 under
 * /var/tmp), a busybox OCI layout, a registry on loopback that holds it, a cgroup root of its own,
 * and a teardown that leaves the host as it was.
 */
public final class TestNode {

    public final Path work;
    public final Path layout;
    public final TestRegistry registry;
    public final String cgroupRoot = "wharf-test-" + UUID.randomUUID().toString().substring(0, 8);
    public final dev.wharf.runtime.network.NetworkSettings network = TestRuntimes.network();

    private TestNode(Path work, Path layout, TestRegistry registry) {
        this.work = work;
        this.layout = layout;
        this.registry = registry;
    }

    /** Skips (or, with WHARF_STRICT_TESTS, fails) without root, busybox, umoci, skopeo or docker-registry. */
    public static TestNode start(String prefix) throws IOException, InterruptedException {
        Prerequisites.require("root".equals(System.getProperty("user.name")), "tests that run containers need root");
        Prerequisites.require(BusyboxLayout.available() && TestRegistry.available(),
                "busybox-static, umoci, skopeo and docker-registry are not installed");
        Path work = WorkDirs.create(prefix);
        Path layout = BusyboxLayout.create(Files.createDirectories(work.resolve("image")));
        return new TestNode(work, layout, TestRegistry.start(Files.createDirectories(work.resolve("registry"))));
    }

    /** Pushes the layout's image {@code tag} as {@code repositoryAndTag}; returns the full reference. */
    public String push(String tag, String repositoryAndTag) throws IOException, InterruptedException {
        registry.push("oci:" + layout + ":" + tag, repositoryAndTag);
        return registry.host() + "/" + repositoryAndTag;
    }

    /** Points the server's data dir, cgroup root, networks and insecure registry here; reconciles and measures layers every second. */
    public void register(DynamicPropertyRegistry properties) {
        properties.add("wharf.data-dir", () -> work.resolve("data").toString());
        properties.add("wharf.runtime.cgroup-root", () -> cgroupRoot);
        properties.add("wharf.registries.insecure", registry::host);
        properties.add("wharf.reconcile-interval", () -> "1s");
        properties.add("wharf.storage-interval", () -> "1s");
        properties.add("wharf.runtime.network.pool", network::pool);
        properties.add("wharf.runtime.network.bridge-prefix", network::bridgePrefix);
    }

    /** Removes whatever containers the runtime still has (a failed test's), the registry, the cgroups and the files. */
    public void close(RuntimeService runtime) throws IOException, InterruptedException {
        if (runtime != null) {
            TestRuntimes.removeAll(runtime);
        }
        registry.close();
        TestCgroups.removeTree(cgroupRoot);
        WorkDirs.delete(work);
    }
}
