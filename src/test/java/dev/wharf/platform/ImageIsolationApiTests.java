package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.wharf.runtime.content.Digests;
import dev.wharf.testing.BusyboxLayout;
import dev.wharf.testing.Http;
import dev.wharf.testing.Http.Response;
import dev.wharf.testing.TestNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A hostile team after another team's private layer, over the REST API against real runc
 * containers: it knows the layer's digest (and diff id) and names it in an archive with a dummy
 * blob, or in a manifest served by a registry that cannot give it the blob. Neither gets it the
 * image, a container on it, or the secret file; supplying the real bytes does. An image deletion
 * refused while containers use it names only the caller's team's containers.
 */
@Tag("root")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@org.springframework.test.annotation.DirtiesContext
class ImageIsolationApiTests {

    static final String PASSWORD = "tidal-ember-4821";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String TAR_LAYER = "application/vnd.oci.image.layer.v1.tar";
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String SECRET = "team-a-secret-" + UUID.randomUUID();

    static TestNode env;
    /** the busybox image's manifest and config, and every blob of it by digest */
    static JsonNode baseManifest;
    static JsonNode baseConfig;
    static final Map<String, byte[]> baseBlobs = new LinkedHashMap<>();
    /** team A's private layer: one file holding the secret */
    static byte[] secretLayer;
    static String secretDigest;
    static EvilRegistry evil;

    @LocalServerPort
    int port;

    @Autowired
    dev.wharf.runtime.api.RuntimeService runtime;

    @Autowired
    org.springframework.jdbc.core.JdbcTemplate jdbc;

    static dev.wharf.runtime.api.RuntimeService node;

    @BeforeAll
    static void images() throws Exception {
        env = TestNode.start("wharf-image-isolation-");
        Path blobs = env.layout.resolve("blobs/sha256");
        baseManifest = JSON.readTree(blob(blobs, BusyboxLayout.digest(env.layout, BusyboxLayout.AMD64)));
        baseConfig = JSON.readTree(blob(blobs, baseManifest.path("config").path("digest").asString()));
        for (JsonNode layer : baseManifest.path("layers")) {
            baseBlobs.put(layer.path("digest").asString(), blob(blobs, layer.path("digest").asString()));
        }
        secretLayer = tar(Map.of("secret.txt", (SECRET + "\n").getBytes(StandardCharsets.UTF_8)));
        secretDigest = Digests.sha256(secretLayer);
        evil = new EvilRegistry();
    }

    @DynamicPropertySource
    static void runtime(DynamicPropertyRegistry properties) {
        env.register(properties);
        String registries = env.registry.host() + "," + evil.host();
        properties.add("wharf.registries.insecure", () -> registries);
        properties.add("wharf.registries.private", () -> registries);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (evil != null) {
            evil.close();
        }
        if (env != null) {
            env.close(node);
        }
    }

    @Test
    void aTeamNeverGetsAnotherTeamsLayerByNamingItsDigest() throws Exception {
        node = runtime;
        Http admin = Http.to(port).basic("admin", ApiFlowTests.ADMIN_PASSWORD);
        String a = team(admin, "sa");
        String b = team(admin, "sb");
        Http alice = Http.to(port).basic(a + "-member", PASSWORD);
        Http bob = Http.to(port).basic(b + "-member", PASSWORD);

        // team A imports its private image and reads its secret
        Path privateArchive = archive("a-private.tar", "example.test/a/private:1", image("A's app", true), Map.of());
        Response imported = importArchive(a, privateArchive);
        assertThat(imported.status()).as(imported.body()).isEqualTo(201);
        String privateDigest = imported.json().get("digest").asString();
        assertThat(run(alice, a, "a-reader", "example.test/a/private:1", "cat /secret.txt")).contains(SECRET);

        // team B names A's layer in its own archive with a one-byte blob: refused, nothing recorded, no container
        Image forged = image("B's app", true);
        Path forgedArchive = archive("b-forged.tar", "example.test/b/forged:1", forged, Map.of(secretDigest, new byte[] {'x'}));
        Response refused = importArchive(b, forgedArchive);
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.json().get("detail").asString()).contains("does not match").contains(secretDigest);
        assertThat(bob.get("/api/v1/teams/" + b + "/images").json()).isEmpty();
        assertThat(runtime.images(teamId(admin, b))).isEmpty();
        for (String image : List.of(forged.digest(), privateDigest)) {
            Response create = bob.post("/api/v1/teams/" + b + "/containers", "{\"name\":\"steal\",\"image\":\"" + image
                    + "\",\"command\":[\"/bin/sh\",\"-c\",\"cat /secret.txt\"]}");
            assertThat(create.status()).as(create.body()).isEqualTo(404);
        }
        assertThatNodeRefuses(teamId(admin, b), forged.digest());

        // team B pulls a manifest naming A's layer from a registry whose answer to B is "no such blob": refused
        evil.serve("b/app", "1", forged, baseBlobs);
        Response pulled = bob.post("/api/v1/teams/" + b + "/images/pull", "{\"reference\":\"" + evil.host() + "/b/app:1\"}");
        assertThat(pulled.status()).as(pulled.body()).isIn(403, 404);
        assertThat(pulled.json().get("detail").asString()).contains(secretDigest);
        assertThat(evil.blobRequests).contains("b/app@" + secretDigest);
        // ... or whose answer is "here it is" with other bytes: B must hand the layer over, and cannot
        evil.blobs.put(secretDigest, new byte[secretLayer.length]);
        Response lied = bob.post("/api/v1/teams/" + b + "/images/pull", "{\"reference\":\"" + evil.host() + "/b/app:1\"}");
        assertThat(lied.status()).as(lied.body()).isEqualTo(400);
        assertThat(lied.json().get("detail").asString()).contains("does not match").contains(secretDigest);
        assertThat(bob.get("/api/v1/teams/" + b + "/images").json()).isEmpty();
        assertThat(runtime.images(teamId(admin, b))).isEmpty();
        assertThatNodeRefuses(teamId(admin, b), forged.digest());

        // B's own image runs, and its containers see no trace of the secret
        Response own = importArchive(b, archive("b-own.tar", "example.test/b/own:1", image("B's own", false), Map.of()));
        assertThat(own.status()).as(own.body()).isEqualTo(201);
        String seen = run(bob, b, "b-looker", "example.test/b/own:1", "cat /secret.txt 2>&1; grep -rsl " + SECRET + " /bin /etc /root /tmp /usr /var; echo done");
        assertThat(seen).contains("No such file").contains("done").doesNotContain(SECRET);

        // A imports its archive again (every blob verified again), and B supplying the real bytes gets them
        Response again = importArchive(a, privateArchive);
        assertThat(again.status()).as(again.body()).isEqualTo(201);
        assertThat(again.json().get("digest").asString()).isEqualTo(privateDigest);
        Response supplied = importArchive(b, privateArchive);
        assertThat(supplied.status()).as(supplied.body()).isEqualTo(201);
        assertThat(run(bob, b, "b-reader", "example.test/a/private:1", "cat /secret.txt")).contains(SECRET);

        // B, who holds the layer now, pulls from its registry without fetching the layer there; that vouches for
        // nothing: a third team pulling the same reference must still get the real bytes from it, and does not
        Response bPulls = bob.post("/api/v1/teams/" + b + "/images/pull", "{\"reference\":\"" + evil.host() + "/b/app:1\"}");
        assertThat(bPulls.status()).as(bPulls.body()).isEqualTo(201);
        String c = team(admin, "sc");
        Http carol = Http.to(port).basic(c + "-member", PASSWORD);
        Response cPulls = carol.post("/api/v1/teams/" + c + "/images/pull", "{\"reference\":\"" + evil.host() + "/b/app:1\"}");
        assertThat(cPulls.status()).as(cPulls.body()).isEqualTo(400);
        assertThat(cPulls.json().get("detail").asString()).contains("does not match").contains(secretDigest);
        assertThat(runtime.images(teamId(admin, c))).isEmpty();

        // both teams run the same image: a refused deletion names only the caller's own containers
        assertThat(start(alice, a, "a-sleeper", "example.test/a/private:1").status()).isEqualTo(201);
        assertThat(start(bob, b, "b-sleeper", "example.test/a/private:1").status()).isEqualTo(201);
        String bContainerId = bob.get("/api/v1/teams/" + b + "/containers/b-sleeper").json().get("id").asString();
        Response aRefused = alice.delete("/api/v1/teams/" + a + "/images/" + imported.json().get("id").asLong());
        assertThat(aRefused.status()).as(aRefused.body()).isEqualTo(409);
        assertThat(aRefused.json().get("detail").asString()).contains("a-sleeper")
                .doesNotContain("b-sleeper").doesNotContain("b-reader").doesNotContain(bContainerId);
        Response bRefused = bob.delete("/api/v1/teams/" + b + "/images/" + supplied.json().get("id").asLong());
        assertThat(bRefused.status()).as(bRefused.body()).isEqualTo(409);
        assertThat(bRefused.json().get("detail").asString()).contains("b-sleeper").doesNotContain("a-sleeper").doesNotContain("a-reader");

        // once A's containers are gone A lets go of the image; B keeps it and still runs it
        for (String name : List.of("a-reader", "a-sleeper")) {
            assertThat(alice.delete("/api/v1/teams/" + a + "/containers/" + name + "?force=true").status()).isEqualTo(204);
        }
        assertThat(alice.delete("/api/v1/teams/" + a + "/images/" + imported.json().get("id").asLong()).status()).isEqualTo(204);
        assertThat(runtime.images(teamId(admin, a))).extracting(dev.wharf.runtime.api.ImageInfo::digest).doesNotContain(privateDigest);
        assertThat(run(bob, b, "b-again", "example.test/a/private:1", "cat /secret.txt")).contains(SECRET);
        for (String name : List.of("b-looker", "b-reader", "b-sleeper", "b-again")) {
            assertThat(bob.delete("/api/v1/teams/" + b + "/containers/" + name + "?force=true").status()).isEqualTo(204);
        }
    }

    private void assertThatNodeRefuses(long team, String digest) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> runtime.image(team, digest))
                .isInstanceOf(dev.wharf.runtime.api.RuntimeFailure.class).hasMessageContaining("not on this node");
    }

    private String team(Http admin, String prefix) {
        String team = prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
        assertThat(admin.post("/api/v1/teams", "{\"name\":\"" + team + "\"}").status()).isEqualTo(201);
        admin.post("/api/v1/users", "{\"name\":\"" + team + "-member\",\"password\":\"" + PASSWORD + "\"}");
        admin.put("/api/v1/teams/" + team + "/members/" + team + "-member", "{\"role\":\"member\"}");
        return team;
    }

    private long teamId(Http admin, String team) {
        return jdbc.queryForObject("select id from teams where name = ?", Long.class, team);
    }

    private Response start(Http as, String team, String name, String image) {
        return as.post("/api/v1/teams/" + team + "/containers", "{\"name\":\"" + name + "\",\"image\":\"" + image
                + "\",\"command\":[\"/bin/sleep\",\"300\"]}");
    }

    /** Runs {@code script} in a new container of the team and returns its output once it exited. */
    private String run(Http as, String team, String name, String image, String script) throws InterruptedException {
        Response created = as.post("/api/v1/teams/" + team + "/containers", "{\"name\":\"" + name + "\",\"image\":\"" + image
                + "\",\"command\":[\"/bin/sh\",\"-c\",\"" + script + "\"]}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        await().alias("container " + name + " of " + team + " exits").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> as.get("/api/v1/teams/" + team + "/containers/" + name).json().get("state").asString().equals("exited"));
        return as.get("/api/v1/teams/" + team + "/containers/" + name + "/logs").body();
    }

    private Response importArchive(String team, Path archive) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/api/v1/teams/" + team + "/images/import"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((team + "-member:" + PASSWORD).getBytes()))
                .header("Content-Type", "application/x-tar").POST(HttpRequest.BodyPublishers.ofFile(archive)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Response(response);
    }

    /** An image's manifest and config; its layers are busybox's, and the secret layer on top when {@code secret}. */
    record Image(byte[] manifest, byte[] config) {
        String digest() {
            return Digests.sha256(manifest);
        }
    }

    private static Image image(String label, boolean secret) {
        ObjectNode config = (ObjectNode) baseConfig.deepCopy();
        ((ObjectNode) config.path("config")).putObject("Labels").put("app", label);
        ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", OCI_MANIFEST);
        ArrayNode layers = manifest.putArray("layers");
        baseManifest.path("layers").forEach(layers::add);
        if (secret) {
            ((ArrayNode) config.path("rootfs").path("diff_ids")).add(secretDigest);
            layers.addObject().put("mediaType", TAR_LAYER).put("digest", secretDigest).put("size", secretLayer.length);
        }
        byte[] configBytes = JSON.writeValueAsBytes(config);
        manifest.putObject("config").put("mediaType", "application/vnd.oci.image.config.v1+json")
                .put("digest", Digests.sha256(configBytes)).put("size", configBytes.length);
        return new Image(JSON.writeValueAsBytes(manifest), configBytes);
    }

    /** An OCI archive of {@code image} named {@code name}; {@code replaced} gives other bytes for some blobs. */
    private static Path archive(String file, String name, Image image, Map<String, byte[]> replaced) throws IOException {
        Map<String, byte[]> blobs = new LinkedHashMap<>(baseBlobs);
        blobs.put(image.digest(), image.manifest());
        blobs.put(Digests.sha256(image.config()), image.config());
        if (JSON.readTree(image.manifest()).path("layers").size() > baseBlobs.size()) {
            blobs.put(secretDigest, secretLayer);
        }
        blobs.putAll(replaced);
        ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2);
        index.putArray("manifests").addObject().put("mediaType", OCI_MANIFEST).put("digest", image.digest())
                .put("size", image.manifest().length).putObject("annotations").put("io.containerd.image.name", name);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        entries.put("index.json", JSON.writeValueAsBytes(index));
        blobs.forEach((digest, bytes) -> entries.put("blobs/sha256/" + digest.substring(7), bytes));
        Path archive = env.work.resolve(file);
        Files.write(archive, tar(entries));
        return archive;
    }

    private static byte[] tar(Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
                entry.setSize(file.getValue().length);
                entry.setMode(0644);
                tar.putArchiveEntry(entry);
                tar.write(file.getValue());
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] blob(Path blobs, String digest) throws IOException {
        return Files.readAllBytes(blobs.resolve(digest.substring("sha256:".length())));
    }

    /**
     * A registry under the hostile team's control (anonymous, plain HTTP on loopback): it serves
     * the manifests and blobs it was given, whatever their digest, and answers 404 for any other
     * blob, as a registry does to a caller that cannot read a blob.
     */
    static final class EvilRegistry implements AutoCloseable {
        final HttpServer server;
        final Map<String, byte[]> manifests = new ConcurrentHashMap<>();
        final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
        final List<String> blobRequests = new CopyOnWriteArrayList<>();

        EvilRegistry() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", this::handle);
            server.start();
        }

        String host() {
            return "127.0.0.1:" + server.getAddress().getPort();
        }

        void serve(String repository, String tag, Image image, Map<String, byte[]> layers) {
            manifests.put(repository + ":" + tag, image.manifest());
            blobs.put(Digests.sha256(image.config()), image.config());
            blobs.putAll(layers);
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                String[] parts = path.substring("/v2/".length()).split("/(?=manifests/|blobs/)");
                byte[] body;
                if (parts.length == 2 && parts[1].startsWith("manifests/")) {
                    body = manifests.get(parts[0] + ":" + parts[1].substring("manifests/".length()));
                    exchange.getResponseHeaders().set("Content-Type", OCI_MANIFEST);
                    if (body != null) {
                        exchange.getResponseHeaders().set("Docker-Content-Digest", Digests.sha256(body));
                    }
                } else if (parts.length == 2 && parts[1].startsWith("blobs/")) {
                    String digest = parts[1].substring("blobs/".length());
                    blobRequests.add(parts[0] + "@" + digest);
                    body = blobs.get(digest);
                    exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
                } else {
                    body = "{}".getBytes(StandardCharsets.UTF_8);
                }
                if (body == null) {
                    byte[] error = "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\",\"message\":\"blob unknown to registry\"}]}"
                            .getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                    exchange.sendResponseHeaders(404, error.length);
                    exchange.getResponseBody().write(error);
                    return;
                }
                exchange.sendResponseHeaders(200, "HEAD".equals(exchange.getRequestMethod()) ? -1 : body.length);
                if (!"HEAD".equals(exchange.getRequestMethod())) {
                    OutputStream out = exchange.getResponseBody();
                    out.write(body);
                }
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
