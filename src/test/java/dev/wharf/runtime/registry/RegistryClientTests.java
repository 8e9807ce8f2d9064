package dev.wharf.runtime.registry;

import dev.wharf.runtime.api.ImageReference;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeFailure.Kind;
import dev.wharf.runtime.content.FileContentStore;
import dev.wharf.testing.BusyboxLayout;
import dev.wharf.testing.Prerequisites;
import dev.wharf.testing.TestRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pulls from a real registry (Debian's docker-registry) of busybox images pushed with skopeo. */
class RegistryClientTests {

    @TempDir
    static Path fixtures;

    private static TestRegistry registry;
    private static Path layout;

    @TempDir
    Path content;

    @BeforeAll
    static void startRegistry() throws IOException, InterruptedException {
        Prerequisites.require(TestRegistry.available() && BusyboxLayout.available(),
                "docker-registry, skopeo, umoci and busybox-static are needed for registry tests");
        layout = BusyboxLayout.create(Files.createDirectories(fixtures.resolve("image")));
        registry = TestRegistry.start(Files.createDirectories(fixtures.resolve("registry")));
        registry.push("oci:" + layout + ":" + BusyboxLayout.AMD64, "team/busybox:1");
        registry.push("oci:" + layout + ":" + BusyboxLayout.AMD64, "team/docker:1", "--format", "v2s2");
        registry.push("oci:" + layout + ":" + BusyboxLayout.MULTI, "team/multi:1", "--all");
    }

    @AfterAll
    static void stopRegistry() throws InterruptedException {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void pullsByTagAndByDigest() throws IOException {
        FileContentStore store = new FileContentStore(content);
        RegistryClient client = client();
        ImageReference byTag = ImageReference.parse(registry.host() + "/team/busybox:1");

        PulledImage pulled = client.pull(byTag, Platform.host(), null, store, LayerProgress.NONE);

        assertThat(pulled.reference()).isEqualTo(byTag);
        assertThat(pulled.indexDigest()).isNull();
        assertThat(pulled.manifestDigest()).isEqualTo(BusyboxLayout.digest(layout, BusyboxLayout.AMD64));
        assertThat(pulled.layers()).singleElement().satisfies(layer -> {
            assertThat(layer.mediaType()).isEqualTo("application/vnd.oci.image.layer.v1.tar+gzip");
            assertThat(store.path(layer.digest())).hasSize(layer.size());
        });
        assertThat(pulled.config()).isEqualTo(new ImageConfig(List.of(), List.of("/bin/sh"), List.of("PATH=/bin"), "/root", ""));
        assertThat(store.list()).containsExactlyInAnyOrder(pulled.manifestDigest(), pulled.configDigest(), pulled.layers().get(0).digest());

        ImageReference byDigest = ImageReference.parse(registry.host() + "/team/busybox@" + pulled.manifestDigest());
        PulledImage again = client.pull(byDigest, Platform.host(), null, store, LayerProgress.NONE);

        assertThat(again).isEqualTo(new PulledImage(byDigest, null, pulled.manifestDigest(), pulled.configDigest(), pulled.layers(),
                pulled.config()));
    }

    @Test
    void pullsDockerSchema2Images() {
        PulledImage pulled = client().pull(ImageReference.parse(registry.host() + "/team/docker:1"), Platform.host(), null,
                new FileContentStore(content), LayerProgress.NONE);

        assertThat(pulled.layers()).singleElement().extracting(PulledImage.Layer::mediaType)
                .isEqualTo("application/vnd.docker.image.rootfs.diff.tar.gzip");
        assertThat(pulled.config().cmd()).containsExactly("/bin/sh");
    }

    @Test
    void anIndexResolvesToThePlatformsImage() throws IOException {
        FileContentStore store = new FileContentStore(content);
        ImageReference ref = ImageReference.parse(registry.host() + "/team/multi:1");

        PulledImage host = client().pull(ref, Platform.host(), null, store, LayerProgress.NONE);
        PulledImage arm = client().pull(ref, new Platform("linux", "arm64", "v8"), null, store, LayerProgress.NONE);

        assertThat(host.indexDigest()).isEqualTo(BusyboxLayout.digest(layout, BusyboxLayout.MULTI));
        assertThat(host.manifestDigest()).isEqualTo(BusyboxLayout.digest(layout,
                Platform.host().architecture().equals("arm64") ? BusyboxLayout.ARM64 : BusyboxLayout.AMD64));
        assertThat(arm.manifestDigest()).isEqualTo(BusyboxLayout.digest(layout, BusyboxLayout.ARM64));
        assertThat(store.has(host.indexDigest())).isTrue();
        assertThat(store.has(arm.configDigest())).isTrue();
        assertThat(client().pull(ref, new Platform("linux", "arm64", null), null, store, LayerProgress.NONE).manifestDigest())
                .isEqualTo(arm.manifestDigest());
        assertThatThrownBy(() -> client().pull(ref, new Platform("linux", "s390x", null), null, store, LayerProgress.NONE))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND))
                .hasMessage("pull " + ref + ": no linux/s390x image; it has: linux/amd64, linux/arm64/v8");
    }

    @Test
    void progressReachesTheTotalAndASecondPullDownloadsNoLayer() {
        FileContentStore store = new FileContentStore(content);
        ImageReference ref = ImageReference.parse(registry.host() + "/team/busybox:1");
        Map<String, List<long[]>> first = new ConcurrentHashMap<>();
        Map<String, List<long[]>> second = new ConcurrentHashMap<>();

        PulledImage pulled = client().pull(ref, Platform.host(), null, store, record(first));
        client().pull(ref, Platform.host(), null, store, store::has, digest -> false, record(second)); // a caller that holds them

        PulledImage.Layer layer = pulled.layers().get(0);
        assertThat(first.get(layer.digest())).as("reports while downloading").hasSizeGreaterThan((int) (layer.size() / (128 * 1024)))
                .allSatisfy(report -> assertThat(report[1]).isEqualTo(layer.size()));
        List<long[]> reports = first.get(layer.digest());
        assertThat(reports.get(reports.size() - 1)[0]).isEqualTo(layer.size());
        assertThat(second).containsOnlyKeys(layer.digest());
        assertThat(second.get(layer.digest())).as("a layer already there reports once, complete").singleElement()
                .satisfies(report -> assertThat(report).containsExactly(layer.size(), layer.size()));
    }

    @Test
    void anUnknownTagIsNotFound() {
        ImageReference ref = ImageReference.parse(registry.host() + "/team/busybox:2");

        assertThatThrownBy(() -> client().pull(ref, Platform.host(), null, new FileContentStore(content), LayerProgress.NONE))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND))
                .hasMessage("pull " + ref + ": manifest unknown");
    }

    @Test
    void aRegistryNotListedAsInsecureIsReachedOverHttpsAndFailsClearly() {
        ImageReference ref = ImageReference.parse(registry.host() + "/team/busybox:1");
        RegistryClient client = new RegistryClient(new RegistryAddressPolicy(Set.of(), Set.of(registry.host())));

        long start = System.nanoTime();
        assertThatThrownBy(() -> client.pull(ref, Platform.host(), null, new FileContentStore(content), LayerProgress.NONE))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE))
                .hasMessage("pull " + ref + ": could not reach registry " + registry.host() + " over HTTPS (a registry that serves"
                        + " plain HTTP must be listed in wharf.registries.insecure)");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aRegistryOnLoopbackThatNoAdminListedIsRefused() {
        ImageReference ref = ImageReference.parse(registry.host() + "/team/busybox:1");

        FileContentStore store = new FileContentStore(content);
        assertThatThrownBy(() -> new RegistryClient(Set.of()).pull(ref, Platform.host(), null, store, LayerProgress.NONE))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
                .hasMessage("pull " + ref + ": registry " + registry.host() + " refused: it is not a public address; an admin can"
                        + " allow a private registry by listing its host:port in wharf.registries.private");
        assertThat(store.list()).isEmpty();
    }

    @Test
    void anUnreachableRegistryIsUnavailableQuickly() throws IOException {
        String host;
        try (ServerSocket socket = new ServerSocket(0)) {
            host = "127.0.0.1:" + socket.getLocalPort();
        }
        ImageReference ref = ImageReference.parse(host + "/team/busybox:1");

        long start = System.nanoTime();
        assertThatThrownBy(() -> new RegistryClient(Set.of(host)).pull(ref, Platform.host(), null, new FileContentStore(content),
                LayerProgress.NONE))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE))
                .hasMessage("pull " + ref + ": could not reach registry " + host);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    private static RegistryClient client() {
        return new RegistryClient(Set.of(registry.host()));
    }

    private static LayerProgress record(Map<String, List<long[]>> reports) {
        return (digest, done, total) -> reports.computeIfAbsent(digest, d -> new ArrayList<>()).add(new long[] {done, total});
    }
}
