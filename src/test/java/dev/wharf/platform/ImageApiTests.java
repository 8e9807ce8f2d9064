package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wharf.testing.BusyboxLayout;
import dev.wharf.testing.Commands;
import dev.wharf.testing.Http;
import dev.wharf.testing.Http.Response;
import dev.wharf.testing.TestNode;
import dev.wharf.testing.TestRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** A team's images over the REST API, pulled from a real registry on loopback and imported from an archive. */
@Tag("root")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@org.springframework.test.annotation.DirtiesContext
class ImageApiTests {

    static TestNode env;
    static Path layout;
    static TestRegistry registry;

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @BeforeAll
    static void registry() throws Exception {
        env = TestNode.start("wharf-image-api-");
        layout = env.layout;
        registry = env.registry;
        env.push(BusyboxLayout.AMD64, "shop/busybox:1");
    }

    @DynamicPropertySource
    static void runtime(DynamicPropertyRegistry properties) {
        env.register(properties);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        // the context's runtime made no containers (so no mounts); the registry, cgroups and files go
        if (env != null) {
            env.close(null);
        }
    }

    @Test
    void membersPullImportAndDeleteImagesOfTheirTeam() throws Exception {
        Http admin = Http.to(port).basic("admin", ApiFlowTests.ADMIN_PASSWORD);
        String team = "img-" + UUID.randomUUID().toString().substring(0, 6);
        String other = team + "-b";
        admin.post("/api/v1/teams", "{\"name\":\"" + team + "\"}");
        admin.post("/api/v1/teams", "{\"name\":\"" + other + "\"}");
        for (String user : List.of(team + "-m", team + "-v", team + "-o")) {
            admin.post("/api/v1/users", "{\"name\":\"" + user + "\",\"password\":\"tidal-ember-4821\"}");
        }
        admin.put("/api/v1/teams/" + team + "/members/" + team + "-m", "{\"role\":\"member\"}");
        admin.put("/api/v1/teams/" + team + "/members/" + team + "-v", "{\"role\":\"viewer\"}");
        Http member = Http.to(port).basic(team + "-m", "tidal-ember-4821");
        Http viewer = Http.to(port).basic(team + "-v", "tidal-ember-4821");
        Http outsider = Http.to(port).basic(team + "-o", "tidal-ember-4821");
        String reference = registry.host() + "/shop/busybox:1";

        assertThat(viewer.post("/api/v1/teams/" + team + "/images/pull", "{\"reference\":\"" + reference + "\"}").status()).isEqualTo(403);
        assertThat(outsider.post("/api/v1/teams/" + team + "/images/pull", "{\"reference\":\"" + reference + "\"}").status()).isEqualTo(404);
        Response pulled = member.post("/api/v1/teams/" + team + "/images/pull", "{\"reference\":\"" + reference + "\"}");
        assertThat(pulled.status()).as(pulled.toString()).isEqualTo(201);
        String digest = pulled.json().get("digest").asString();
        assertThat(digest).isEqualTo(BusyboxLayout.digest(layout, BusyboxLayout.AMD64));
        assertThat(pulled.json().get("reference").asString()).isEqualTo(reference);
        JsonNode listed = viewer.get("/api/v1/teams/" + team + "/images").json();
        assertThat(listed).hasSize(1);
        assertThat(outsider.get("/api/v1/teams/" + team + "/images").status()).isEqualTo(404);

        // a background pull shows its progress until done
        Response accepted = admin.post("/api/v1/teams/" + other + "/images/pull?wait=false", "{\"reference\":\"" + reference + "\"}");
        assertThat(accepted.status()).isEqualTo(202);
        JsonNode progress = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> admin.get(accepted.header("Location")).json(), pull -> !pull.get("state").asString().equals("pulling"));
        assertThat(progress.get("state").asString()).isEqualTo("done");
        assertThat(progress.get("bytesDone").asLong()).isEqualTo(progress.get("bytesTotal").asLong()).isPositive();
        assertThat(progress.get("digest").asString()).isEqualTo(digest);

        Response missing = member.post("/api/v1/teams/" + team + "/images/pull", "{\"reference\":\"" + registry.host() + "/shop/busybox:nope\"}");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("detail").asString()).contains("shop/busybox:nope");
        Response bad = member.post("/api/v1/teams/" + team + "/images/pull", "{\"reference\":\"Bad Name!\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("detail").asString()).contains("invalid reference");

        // import a docker save archive
        Path archive = env.work.resolve("saved.tar");
        Commands.run(List.of("skopeo", "copy", "--quiet", "oci:" + layout + ":" + BusyboxLayout.AMD64,
                "docker-archive:" + archive + ":example/saved:2"));
        HttpResponse<String> imported = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/api/v1/teams/" + team + "/images/import"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((team + "-m:tidal-ember-4821").getBytes()))
                .header("Content-Type", "application/x-tar").POST(HttpRequest.BodyPublishers.ofFile(archive)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(imported.statusCode()).as(imported.body()).isEqualTo(201);
        assertThat(imported.body()).contains("docker.io/example/saved:2");

        // deleting one team's name keeps the image for the other team
        long id = pulled.json().get("id").asLong();
        assertThat(member.delete("/api/v1/teams/" + team + "/images/" + id).status()).isEqualTo(204);
        assertThat(member.get("/api/v1/teams/" + team + "/images/" + id).status()).isEqualTo(404);
        assertThat(admin.get("/api/v1/teams/" + other + "/images").json().get(0).get("digest").asString()).isEqualTo(digest);

        JsonNode audit = admin.get("/api/v1/audit?team=" + team + "&limit=100").json();
        assertThat(audit.toString()).contains("POST /api/v1/teams/{team}/images/pull").contains("/images/import");
    }

    @Test
    void aPullFromALoopbackRegistryThatNoAdminListedIsRefusedAndReachesNothing() throws Exception {
        Http admin = Http.to(port).basic("admin", ApiFlowTests.ADMIN_PASSWORD);
        String team = "ssrf-" + UUID.randomUUID().toString().substring(0, 6);
        admin.post("/api/v1/teams", "{\"name\":\"" + team + "\"}");
        Path content = env.work.resolve("data").resolve("content");
        long blobsBefore = files(content);
        try (dev.wharf.testing.CountingListener internal = new dev.wharf.testing.CountingListener()) {
            String host = internal.host();

            Response refused = admin.post("/api/v1/teams/" + team + "/images/pull", "{\"reference\":\"" + host + "/x:y\"}");

            assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
            assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
            assertThat(refused.json().get("detail").asString()).isEqualTo("pull " + host + "/x:y: registry " + host
                    + " refused: it is not a public address; an admin can allow a private registry by listing its host:port in"
                    + " wharf.registries.private");
            assertThat(internal.connections()).as("connections to the unlisted port").isZero();
        }
        assertThat(admin.get("/api/v1/teams/" + team + "/images").json()).isEmpty();
        assertThat(files(content)).as("blobs stored").isEqualTo(blobsBefore);
        // the same registry host with the port an admin listed (wharf.registries.insecure) pulls: see the test above
    }

    private static long files(Path dir) throws java.io.IOException {
        if (!java.nio.file.Files.isDirectory(dir)) {
            return 0;
        }
        try (java.util.stream.Stream<Path> walk = java.nio.file.Files.walk(dir)) {
            return walk.filter(java.nio.file.Files::isRegularFile).count();
        }
    }

    @Test
    void registryPasswordsAreStoredEncryptedAndNeverReturned() {
        Http admin = Http.to(port).basic("admin", ApiFlowTests.ADMIN_PASSWORD);
        String team = "reg-" + UUID.randomUUID().toString().substring(0, 6);
        admin.post("/api/v1/teams", "{\"name\":\"" + team + "\"}");
        admin.post("/api/v1/users", "{\"name\":\"" + team + "-m\",\"password\":\"tidal-ember-4821\"}");
        admin.put("/api/v1/teams/" + team + "/members/" + team + "-m", "{\"role\":\"member\"}");
        Response put = admin.put("/api/v1/teams/" + team + "/registries/registry.example:5000",
                "{\"username\":\"robot\",\"password\":\"s3cret-Passw0rd\"}");
        assertThat(put.status()).isEqualTo(200);
        assertThat(put.body()).doesNotContain("s3cret");
        Response list = Http.to(port).basic(team + "-m", "tidal-ember-4821").get("/api/v1/teams/" + team + "/registries");
        assertThat(list.json().get(0).get("username").asString()).isEqualTo("robot");
        assertThat(list.body()).doesNotContain("s3cret");
        assertThat(Http.to(port).basic(team + "-m", "tidal-ember-4821").put("/api/v1/teams/" + team + "/registries/x.example",
                "{\"username\":\"a\",\"password\":\"b\"}").status()).isEqualTo(403);
        String stored = jdbc.queryForObject("select secret from registry_credentials where registry = 'registry.example:5000'", String.class);
        assertThat(stored).doesNotContain("s3cret").isNotBlank();
        assertThat(admin.get("/api/v1/audit?team=" + team).body()).doesNotContain("s3cret");
        assertThat(admin.delete("/api/v1/teams/" + team + "/registries/registry.example:5000").status()).isEqualTo(204);
    }
}
