package dev.wharf.runtime.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.api.ImageReference;
import dev.wharf.runtime.api.RuntimeFailure;
import dev.wharf.runtime.api.RuntimeFailure.Kind;
import dev.wharf.runtime.content.FileContentStore;
import dev.wharf.testing.CountingListener;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Server-side request forgery through a pull: a registry (allowed by the admin) that sends the
 * pull somewhere else, by redirect or by its token realm, to an internal listener the admin did
 * not list. Each is refused with a message that says which step and host, and the internal
 * listener never sees a connection.
 */
class RegistryClientForgeryTests {

    private static final String CONFIG = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";

    @TempDir
    Path dir;

    private FakeRegistry registry;
    private CountingListener internal;
    private FileContentStore store;

    @BeforeEach
    void start() throws IOException {
        internal = new CountingListener();
        store = new FileContentStore(dir);
    }

    @AfterEach
    void stop() throws IOException {
        if (registry != null) {
            registry.close();
        }
        internal.close();
    }

    @Test
    void aRedirectToAnotherLoopbackPortIsRefused() throws IOException {
        registry = new FakeRegistry(FakeRegistry.Auth.NONE, true);
        ImageReference ref = push();
        registry.redirectManifests("https://" + internal.host() + "/admin");

        assertThatThrownBy(() -> client(Set.of()).pull(ref, Platform.host(), null, store, LayerProgress.NONE))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
                .hasMessage("pull " + ref + ": redirect target " + internal.host() + " refused: it is not a public address; an admin"
                        + " can allow a private registry by listing its host:port in wharf.registries.private");
        assertThat(internal.connections()).as("connections to the internal listener").isZero();
        assertThat(store.list()).isEmpty();
    }

    @Test
    void aRedirectFromHttpsToPlainHttpIsRefusedEvenToAnInsecureRegistry() throws IOException {
        registry = new FakeRegistry(FakeRegistry.Auth.NONE, true);
        ImageReference ref = push();
        registry.redirectManifests("http://" + internal.host() + "/v2/team/app/manifests/1");

        assertThatThrownBy(() -> client(Set.of(internal.host())).pull(ref, Platform.host(), null, store, LayerProgress.NONE))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
                .hasMessage("pull " + ref + ": redirect from " + registry.host() + " to http://" + internal.host()
                        + " refused: a redirect never leaves HTTPS");
        assertThat(internal.connections()).isZero();
    }

    @Test
    void aRedirectToTheCloudMetadataAddressIsRefused() throws IOException {
        registry = new FakeRegistry(FakeRegistry.Auth.NONE, true);
        ImageReference ref = push();
        for (String metadata : new String[] {"https://169.254.169.254/latest/meta-data/", "https://[fd00:ec2::254]/latest/",
                "https://[::ffff:169.254.169.254]/latest/"}) {
            registry.redirectManifests(metadata);

            assertThatThrownBy(() -> client(Set.of()).pull(ref, Platform.host(), null, store, LayerProgress.NONE))
                    .as(metadata)
                    .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
                    .hasMessageContaining(": redirect target ")
                    .hasMessageContaining(" refused: it is not a public address");
        }
        // from a plain-HTTP registry, plain HTTP to an unlisted host is refused before anything else
        FakeRegistry plain = new FakeRegistry(FakeRegistry.Auth.NONE);
        try {
            plain.manifest("team/app", "1", "application/vnd.oci.image.manifest.v1+json", "{}");
            plain.redirectManifests("http://169.254.169.254/latest/meta-data/iam/");
            ImageReference plainRef = new ImageReference(plain.host(), "team/app", "1", null);
            assertThatThrownBy(() -> new RegistryClient(plain.hosts()).pull(plainRef, Platform.host(), null, store, LayerProgress.NONE))
                    .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
                    .hasMessage("pull " + plainRef + ": redirect target 169.254.169.254 refused: plain HTTP is allowed only to"
                            + " registries an admin lists in wharf.registries.insecure");
        } finally {
            plain.close();
        }
    }

    @Test
    void redirectsAreBounded() throws IOException {
        registry = new FakeRegistry(FakeRegistry.Auth.NONE, true);
        ImageReference ref = push();
        registry.redirectManifests("https://" + registry.host() + "/v2/team/app/manifests/1");

        assertThatThrownBy(() -> client(Set.of()).pull(ref, Platform.host(), null, store, LayerProgress.NONE))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
                .hasMessage("pull " + ref + ": more than 5 redirects from registry " + registry.host());
        assertThat(registry.requests("manifest")).isEqualTo(6);
    }

    @Test
    void aBearerRealmOnLoopbackIsRefused() throws IOException {
        registry = new FakeRegistry(FakeRegistry.Auth.BEARER, true);
        ImageReference ref = push();
        registry.realm("https://" + internal.host() + "/token");

        assertThatThrownBy(() -> client(Set.of()).pull(ref, Platform.host(), FakeRegistry.ALICE, store, LayerProgress.NONE))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
                .hasMessage("pull " + ref + ": token service " + internal.host() + " refused: it is not a public address; an admin"
                        + " can allow a private registry by listing its host:port in wharf.registries.private");
        assertThat(internal.connections()).isZero();
        assertThat(registry.requests("token")).isZero();
    }

    @Test
    void aBearerRealmOverPlainHttpNeverReceivesCredentials() throws IOException {
        registry = new FakeRegistry(FakeRegistry.Auth.BEARER, true);
        ImageReference ref = push();
        // even a host the admin lists as insecure: the team's password would cross the network in clear
        registry.realm("http://" + internal.host() + "/token");

        assertThatThrownBy(() -> client(Set.of(internal.host())).pull(ref, Platform.host(), FakeRegistry.ALICE, store,
                LayerProgress.NONE))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
                .hasMessage("pull " + ref + ": token service " + internal.host() + " refused: credentials are sent to a token"
                        + " service only over HTTPS");
        assertThat(internal.connections()).isZero();
    }

    @Test
    void anErrorBodyIsNeverRepeated() throws IOException {
        registry = new FakeRegistry(FakeRegistry.Auth.NONE, true);
        ImageReference ref = push();
        String secret = "AKIA-SECRET-7d1f";
        RegistryClient client = new RegistryClient(new RegistryAddressPolicy(Set.of(), registry.hosts()), LoopbackTls.client(), 1, 0);

        registry.fail(1, 400, FakeRegistry.error("MANIFEST_INVALID", "manifest invalid: " + secret));
        assertThatThrownBy(() -> client.pull(ref, Platform.host(), null, store, LayerProgress.NONE))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
                .hasMessage("pull " + ref + ": the registry answered 400 (manifest invalid)");
        registry.fail(1, 404, FakeRegistry.error(secret, secret));
        assertThatThrownBy(() -> client.pull(ref, Platform.host(), null, store, LayerProgress.NONE))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND))
                .hasMessage("pull " + ref + ": not found (/v2/team/app/manifests/1)");
        registry.fail(1, 500, "<html>" + secret + "</html>");
        assertThatThrownBy(() -> client.pull(ref, Platform.host(), null, store, LayerProgress.NONE))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE))
                .hasMessage("pull " + ref + ": the registry answered 500");
        registry.fail(1, 418, "{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"" + secret + "\",\"detail\":\"" + secret + "\"}]}");
        assertThatThrownBy(() -> client.pull(ref, Platform.host(), null, store, LayerProgress.NONE))
                .hasMessage("pull " + ref + ": the registry answered 418 (unknown error)");
        assertThat(store.list()).isEmpty();
    }

    @Test
    void aClosedPortAndAnOpenPortThatIsNoRegistryReadTheSame() throws IOException {
        String closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = "127.0.0.1:" + socket.getLocalPort();
        }
        ImageReference toClosed = new ImageReference(closed, "x", "y", null);
        ImageReference toOpen = new ImageReference(internal.host(), "x", "y", null);
        RegistryClient client = new RegistryClient(new RegistryAddressPolicy(Set.of(), Set.of(closed, internal.host())),
                LoopbackTls.client(), 1, 0);

        assertThatThrownBy(() -> client.pull(toClosed, Platform.host(), null, store, LayerProgress.NONE))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE))
                .hasMessage("pull " + toClosed + ": could not reach registry " + closed + " over HTTPS (a registry that serves"
                        + " plain HTTP must be listed in wharf.registries.insecure)");
        assertThatThrownBy(() -> client.pull(toOpen, Platform.host(), null, store, LayerProgress.NONE))
                .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE))
                .hasMessage("pull " + toOpen + ": could not reach registry " + internal.host() + " over HTTPS (a registry that serves"
                        + " plain HTTP must be listed in wharf.registries.insecure)");
        assertThat(internal.connections()).as("the listed host was reached").isPositive();
    }

    @Test
    void anUnlistedLoopbackRegistryIsNeverContacted() {
        ImageReference ref = new ImageReference(internal.host(), "x", "y", null);

        for (RegistryClient client : new RegistryClient[] {new RegistryClient(Set.of()), client(Set.of())}) {
            assertThatThrownBy(() -> client.pull(ref, Platform.host(), null, store, LayerProgress.NONE))
                    .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
                    .hasMessage("pull " + ref + ": registry " + internal.host() + " refused: it is not a public address; an admin"
                            + " can allow a private registry by listing its host:port in wharf.registries.private");
        }
        assertThat(internal.connections()).isZero();
    }

    /** A client over HTTPS that allows the fake registry (as private) and {@code insecure}. */
    private RegistryClient client(Set<String> insecure) {
        Set<String> allowed = new HashSet<>(registry == null ? Set.of() : registry.hosts());
        return new RegistryClient(new RegistryAddressPolicy(insecure, allowed), LoopbackTls.client(), 1, 0);
    }

    /** Pushes a one-config image as team/app:1. */
    private ImageReference push() {
        byte[] config = CONFIG.getBytes(StandardCharsets.UTF_8);
        String configDigest = registry.blob(config);
        registry.manifest("team/app", "1", "application/vnd.oci.image.manifest.v1+json", """
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
                "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[]}"""
                .formatted(configDigest, config.length));
        return new ImageReference(registry.host(), "team/app", "1", null);
    }
}
