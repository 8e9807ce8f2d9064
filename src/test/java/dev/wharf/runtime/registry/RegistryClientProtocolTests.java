package dev.wharf.runtime.registry;

import dev.wharf.runtime.api.ImageReference;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeFailure.Kind;
import dev.wharf.runtime.content.FileContentStore;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Authentication, verification and retries, against {@link FakeRegistry}. */
class RegistryClientProtocolTests {

    private static final String LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    private static final String CONFIG = """
            {"architecture":"amd64","os":"linux","config":{"Entrypoint":["/bin/app"],"Cmd":["--serve"],\
            "Env":["PATH=/bin","MODE=test"],"WorkingDir":"/srv","User":"1000:1000"},\
            "rootfs":{"type":"layers","diff_ids":[]}}""";

    @TempDir
    Path dir;

    private FakeRegistry registry;

    /** An image pushed into the fake registry. */
    private record Image(ImageReference reference, String manifestDigest, String configDigest, List<String> layers) {
    }

    @AfterEach
    void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void tokenAuthenticationWithTheRightCredentials() {
        registry = startTls(FakeRegistry.Auth.BEARER);
        Image image = push("team/app", "1", LAYER_GZIP, 3);
        FileContentStore store = new FileContentStore(dir);
        RegistryClient client = tlsClient();

        PulledImage pulled = client.pull(image.reference(), Platform.host(), FakeRegistry.ALICE, store, LayerProgress.NONE);

        assertThat(pulled.manifestDigest()).isEqualTo(image.manifestDigest());
        assertThat(pulled.indexDigest()).isNull();
        assertThat(pulled.configDigest()).isEqualTo(image.configDigest());
        assertThat(pulled.layers()).extracting(PulledImage.Layer::digest).containsExactlyElementsOf(image.layers());
        assertThat(pulled.layers()).allSatisfy(layer -> {
            assertThat(layer.mediaType()).isEqualTo(LAYER_GZIP);
            assertThat(layer.size()).isEqualTo(200_000);
        });
        assertThat(pulled.config()).isEqualTo(new ImageConfig(List.of("/bin/app"), List.of("--serve"), List.of("PATH=/bin", "MODE=test"),
                "/srv", "1000:1000"));
        assertThat(store.list()).containsExactlyInAnyOrderElementsOf(all(image));
        assertThat(registry.requests("token")).isEqualTo(1);
        assertThat(registry.storageSawAuthorization()).as("Authorization sent to the storage host").isFalse();

        client.pull(image.reference(), Platform.host(), FakeRegistry.ALICE, store, store::has, digest -> false, LayerProgress.NONE);

        assertThat(registry.requests("token")).as("token cached").isEqualTo(1);
        assertThat(image.layers()).allSatisfy(layer -> assertThat(registry.requests(layer)).as("downloads of " + layer).isEqualTo(1));
    }

    @Test
    void aStoredLayerTheCallerDoesNotHoldIsDownloadedAgainOrCheckedWithTheRepositoryThatServedIt() throws Exception {
        registry = start(FakeRegistry.Auth.NONE);
        Image image = push("team/app", "1", LAYER_GZIP, 2);
        FileContentStore store = new FileContentStore(dir);
        new RegistryClient(registry.hosts()).pull(image.reference(), Platform.host(), null, store, LayerProgress.NONE);
        // another registry serves a manifest naming the stored layers: first without them, then with other bytes for them
        try (FakeRegistry other = new FakeRegistry(FakeRegistry.Auth.NONE)) {
            byte[] config = CONFIG.getBytes(StandardCharsets.UTF_8);
            other.blob(config);
            String manifest = """
                    {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
                    "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[%s]}"""
                    .formatted(image.configDigest(), config.length, image.layers().stream()
                            .map(digest -> "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":200000}".formatted(LAYER_GZIP, digest))
                            .collect(Collectors.joining(",")));
            other.manifest("other/app", "1", "application/vnd.oci.image.manifest.v1+json", manifest);
            ImageReference elsewhere = new ImageReference(other.host(), "other/app", "1", null);
            RegistryClient client = new RegistryClient(other.hosts());

            for (boolean servedBefore : new boolean[] {false, true}) {
                assertThatThrownBy(() -> client.pull(elsewhere, Platform.host(), null, store, digest -> false, digest -> servedBefore,
                        LayerProgress.NONE))
                        .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND))
                        .hasMessageContaining("blob unknown");
            }
            // a registry that claims the blobs but serves other bytes: never trusted on its word, unless it served them before
            Random random = new Random(2);
            for (int i = 0; i < 2; i++) {
                byte[] layer = new byte[200_000];
                random.nextBytes(layer);
                other.blob(layer);
                other.tamper(image.layers().get(i));
            }
            assertThatThrownBy(() -> client.pull(elsewhere, Platform.host(), null, store, digest -> false, digest -> false,
                    LayerProgress.NONE))
                    .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
                    .hasMessageContaining("does not match");
            assertThat(store.path(image.layers().get(0))).as("the stored layer is untouched").hasSize(200_000);
            client.pull(elsewhere, Platform.host(), null, store, digest -> false, digest -> true, LayerProgress.NONE);
            // a caller that holds the layers (it supplied them before) does not need the registry for them
            int layerRequests = other.requests("blob");
            PulledImage pulled = client.pull(elsewhere, Platform.host(), null, store, image.layers()::contains, digest -> false,
                    LayerProgress.NONE);
            assertThat(pulled.layers()).extracting(PulledImage.Layer::digest).containsExactlyElementsOf(image.layers());
            assertThat(other.requests("blob")).as("the config only").isEqualTo(layerRequests + 1);
        }
    }

    @Test
    void tokenAuthenticationWithWrongCredentialsFailsClearly() {
        registry = startTls(FakeRegistry.Auth.BEARER);
        Image image = push("team/app", "1", LAYER_GZIP, 1);
        FileContentStore store = new FileContentStore(dir);
        RegistryClient client = tlsClient();

        assertThatThrownBy(() -> client.pull(image.reference(), Platform.host(), new RegistryLogin("alice", "guess"), store, LayerProgress.NONE))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.FAILED_PRECONDITION))
                .hasMessage("pull " + image.reference() + ": authentication failed: the token service " + registry.host()
                        + " answered 401 for user alice (wrong user name or password?)");
        assertThatThrownBy(() -> client.pull(image.reference(), Platform.host(), null, store, LayerProgress.NONE))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.FAILED_PRECONDITION))
                .hasMessageEndingWith("answered 401 (no credentials were given)");
        assertThat(store.list()).isEmpty();
    }

    @Test
    void basicAuthentication() {
        registry = start(FakeRegistry.Auth.BASIC);
        Image image = push("team/app", "1", LAYER_GZIP, 1);
        FileContentStore store = new FileContentStore(dir);
        RegistryClient client = new RegistryClient(registry.hosts());

        assertThatThrownBy(() -> client.pull(image.reference(), Platform.host(), new RegistryLogin("alice", "guess"), store, LayerProgress.NONE))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.FAILED_PRECONDITION))
                .hasMessage("pull " + image.reference() + ": authentication failed: the registry answered 401 (authentication required)");
        assertThatThrownBy(() -> client.pull(image.reference(), Platform.host(), null, store, LayerProgress.NONE))
                .hasMessageContaining("no credentials were given");

        PulledImage pulled = client.pull(image.reference(), Platform.host(), FakeRegistry.ALICE, store, LayerProgress.NONE);

        assertThat(pulled.manifestDigest()).isEqualTo(image.manifestDigest());
        assertThat(store.list()).containsExactlyInAnyOrderElementsOf(all(image));
        assertThat(registry.storageSawAuthorization()).isFalse();
    }

    @Test
    void aTamperedLayerFailsThePullAndLeavesNothing() {
        registry = start(FakeRegistry.Auth.NONE);
        Image image = push("team/app", "1", LAYER_GZIP, 1);
        String layer = image.layers().get(0);
        registry.tamper(layer);
        FileContentStore store = new FileContentStore(dir);

        assertThatThrownBy(() -> new RegistryClient(registry.hosts()).pull(image.reference(), Platform.host(), null, store,
                LayerProgress.NONE))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
                .hasMessageStartingWith("pull " + image.reference() + ": layer " + layer + ": content does not match: expected "
                        + layer + " (200000 bytes), got sha256:");
        assertThat(store.list()).isEmpty();
        assertThat(dir.resolve("ingest")).isEmptyDirectory();
    }

    @Test
    void aTamperedManifestFailsThePullAndLeavesNothing() {
        registry = start(FakeRegistry.Auth.NONE);
        Image image = push("team/app", "1", LAYER_GZIP, 1);
        registry.tamper(image.manifestDigest());
        FileContentStore store = new FileContentStore(dir);
        RegistryClient client = new RegistryClient(registry.hosts());
        ImageReference byDigest = new ImageReference(registry.host(), "team/app", null, image.manifestDigest());

        for (ImageReference ref : List.of(image.reference(), byDigest)) {
            assertThatThrownBy(() -> client.pull(ref, Platform.host(), null, store, LayerProgress.NONE))
                    .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
                    .hasMessageStartingWith("pull " + ref + ": manifest " + ref.manifestReference() + " does not match: expected "
                            + image.manifestDigest() + ", got sha256:");
        }
        assertThat(store.list()).isEmpty();
        assertThat(registry.requests("blob")).isZero();
    }

    @Test
    void layersOfUnsupportedMediaTypesAreRefusedBeforeDownloading() {
        registry = start(FakeRegistry.Auth.NONE);
        String foreign = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
        Image image = push("team/windows", "1", foreign, 1);
        FileContentStore store = new FileContentStore(dir);

        assertThatThrownBy(() -> new RegistryClient(registry.hosts()).pull(image.reference(), Platform.host(), null, store,
                LayerProgress.NONE))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
                .hasMessage("pull " + image.reference() + ": layer " + image.layers().get(0) + " has unsupported media type \""
                        + foreign + "\"");
        assertThat(registry.requests("blob")).isZero();
        assertThat(store.list()).isEmpty();
    }

    @Test
    void serverErrorsAreRetriedAndClientErrorsAreNot() {
        registry = start(FakeRegistry.Auth.NONE);
        Image image = push("team/app", "1", LAYER_GZIP, 1);
        FileContentStore store = new FileContentStore(dir);
        RegistryClient client = new RegistryClient(registry.hosts(), HttpClient.newHttpClient(), 3, 2);

        registry.fail(2, 503);
        assertThat(client.pull(image.reference(), Platform.host(), null, store, LayerProgress.NONE).manifestDigest())
                .isEqualTo(image.manifestDigest());

        registry.fail(3, 503);
        assertThatThrownBy(() -> client.pull(image.reference(), Platform.host(), null, store, LayerProgress.NONE))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE))
                .hasMessage("pull " + image.reference() + ": the registry answered 503 (service unavailable)");

        int manifestRequests = registry.requests("manifest");
        ImageReference unknown = new ImageReference(registry.host(), "team/app", "2", null);
        assertThatThrownBy(() -> client.pull(unknown, Platform.host(), null, store, LayerProgress.NONE))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND))
                .hasMessage("pull " + unknown + ": manifest unknown");
        assertThat(registry.requests("manifest")).isEqualTo(manifestRequests + 1);
    }

    @Test
    void aDownloadThatBreaksOffStartsAgain() {
        registry = start(FakeRegistry.Auth.NONE);
        Image image = push("team/app", "1", LAYER_GZIP, 1);
        String layer = image.layers().get(0);
        registry.breakNextDownload(layer);
        FileContentStore store = new FileContentStore(dir);

        new RegistryClient(registry.hosts()).pull(image.reference(), Platform.host(), null, store, LayerProgress.NONE);

        assertThat(registry.requests(layer)).isEqualTo(2);
        assertThat(store.path(layer)).hasSize(200_000);
        assertThat(dir.resolve("ingest")).isEmptyDirectory();
    }

    @Test
    void progressReachesEveryLayersTotal() {
        registry = start(FakeRegistry.Auth.NONE);
        Image image = push("team/app", "1", LAYER_GZIP, 3);
        FileContentStore store = new FileContentStore(dir);
        Map<String, List<Long>> reports = new ConcurrentHashMap<>();

        new RegistryClient(registry.hosts()).pull(image.reference(), Platform.host(), null, store,
                (digest, done, total) -> {
                    assertThat(total).isEqualTo(200_000);
                    reports.computeIfAbsent(digest, d -> new ArrayList<>()).add(done);
                });

        assertThat(reports.keySet()).containsExactlyInAnyOrderElementsOf(image.layers());
        assertThat(reports.values()).allSatisfy(done -> {
            assertThat(done).hasSizeGreaterThan(1).isSorted();
            assertThat(done.get(done.size() - 1)).isEqualTo(200_000);
        });
    }

    @Test
    void credentialsNeverShowThePassword() {
        assertThat(FakeRegistry.ALICE.toString()).contains("alice").doesNotContain("s3cret");
    }

    private static FakeRegistry start(FakeRegistry.Auth auth) {
        try {
            return new FakeRegistry(auth);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A registry over HTTPS: credentials go to a token service only over HTTPS. */
    private static FakeRegistry startTls(FakeRegistry.Auth auth) {
        try {
            return new FakeRegistry(auth, true);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client that trusts the loopback certificate and allows the registry's hosts as private registries. */
    private RegistryClient tlsClient() {
        return new RegistryClient(new RegistryAddressPolicy(Set.of(), registry.hosts()), LoopbackTls.client(), 3, 3);
    }

    /** Pushes an image of {@code layerCount} random 200 kB layers of {@code layerMediaType}. */
    private Image push(String repository, String tag, String layerMediaType, int layerCount) {
        Random random = new Random(layerCount);
        List<String> layers = new ArrayList<>();
        for (int i = 0; i < layerCount; i++) {
            byte[] layer = new byte[200_000];
            random.nextBytes(layer);
            layers.add(registry.blob(layer));
        }
        byte[] config = CONFIG.getBytes(StandardCharsets.UTF_8);
        String configDigest = registry.blob(config);
        String manifest = """
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
                "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[%s]}"""
                .formatted(configDigest, config.length, layers.stream()
                        .map(digest -> "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":200000}".formatted(layerMediaType, digest))
                        .collect(Collectors.joining(",")));
        String manifestDigest = registry.manifest(repository, tag, "application/vnd.oci.image.manifest.v1+json", manifest);
        return new Image(new ImageReference(registry.host(), repository, tag, null), manifestDigest, configDigest, layers);
    }

    private static List<String> all(Image image) {
        List<String> digests = new ArrayList<>(image.layers());
        digests.add(image.configDigest());
        digests.add(image.manifestDigest());
        return digests;
    }
}
