package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.runtime.image.TestLayer;
import dev.wharf.testing.BusyboxRootfs;
import dev.wharf.testing.Commands;
import dev.wharf.testing.Http;
import dev.wharf.testing.Http.Response;
import dev.wharf.testing.OciImageBuilder;
import dev.wharf.testing.Prerequisites;
import dev.wharf.testing.TestNode;
import java.io.File;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A hostile team member's layers over the REST API: an image whose file carries a host-style
 * file capability, and an image whose layer is a sparse-file bomb, each imported by the team and
 * run as a container. On the host afterwards: the capability as {@code getcap} reads it is the
 * team root's, {@code nobody} gets nothing from the file, and the bomb left no bytes behind.
 */
@Tag("root")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@DirtiesContext
class HostileLayerApiTests {

    static final String PASSWORD = "tidal-ember-4821";
    static TestNode env;
    static dev.wharf.runtime.api.RuntimeService node;

    @LocalServerPort
    int port;

    @org.springframework.beans.factory.annotation.Autowired
    dev.wharf.runtime.api.RuntimeService runtime;

    @BeforeAll
    static void node() throws Exception {
        env = TestNode.start("wharf-hostile-layer-api-");
        Prerequisites.require(Commands.onPath("getcap") && Commands.onPath("setpriv") && Commands.onPath("tar"),
                "getcap (libcap2-bin), setpriv and tar are needed");
    }

    @DynamicPropertySource
    static void runtime(DynamicPropertyRegistry properties) {
        env.register(properties);
        properties.add("wharf.runtime.max-layer-bytes", () -> "1073741824");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (env != null) {
            env.close(node);
        }
    }

    /** A new team with a member; returns the member's client. */
    private Http team(String team) {
        node = runtime;
        Http admin = Http.to(port).basic("admin", ApiFlowTests.ADMIN_PASSWORD);
        assertThat(admin.post("/api/v1/teams", "{\"name\":\"" + team + "\"}").status()).isEqualTo(201);
        admin.post("/api/v1/users", "{\"name\":\"" + team + "-m\",\"password\":\"" + PASSWORD + "\"}");
        admin.put("/api/v1/teams/" + team + "/members/" + team + "-m", "{\"role\":\"member\"}");
        return Http.to(port).basic(team + "-m", PASSWORD);
    }

    @Test
    void aFileCapabilityInATeamsLayerIsTheTeamRootsAndGivesNobodyOnTheHostAnything() throws Exception {
        String team = "cap-" + UUID.randomUUID().toString().substring(0, 6);
        Http member = team(team);
        Path secret = env.work.resolve("secret");
        Files.writeString(secret, "root's only\n");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        TarArchiveEntry tool = TestLayer.entry("opt/busybox", TarConstants.LF_NORMAL, 0755);
        // cap_dac_read_search+ep as setcap writes it on the host (v2)
        byte[] capability = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putInt(0x0200_0001).putInt(1 << 2).putInt(0)
                .putInt(0).putInt(0).array();
        tool.addPaxHeader("SCHILY.xattr.security.capability", new String(capability, StandardCharsets.ISO_8859_1));
        byte[] busybox = Files.readAllBytes(BusyboxRootfs.BUSYBOX);
        String digest = importImage(team, "caps", true, new TestLayer().addData(tool, busybox).tar());

        Response created = member.post("/api/v1/teams/" + team + "/containers",
                "{\"name\":\"caps\",\"image\":\"" + digest + "\",\"command\":[\"/opt/busybox\",\"sleep\",\"300\"]}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(await(member, team, "caps", "running").get("state").asString()).isEqualTo("running");

        Path unpacked;
        try (Stream<Path> files = Files.walk(env.work.resolve("data"))) {
            unpacked = files.filter(p -> p.endsWith("fs/opt/busybox")).findFirst().orElseThrow();
        }
        int teamRoot = (Integer) Files.getAttribute(unpacked.getParent().getParent(), "unix:uid");
        assertThat(teamRoot).as("the layer belongs to the team's mapped root").isPositive();
        assertThat(Commands.run(List.of("getcap", "-n", unpacked.toString())).strip())
                .isEqualTo(unpacked + " cap_dac_read_search=ep [rootid=" + teamRoot + "]");
        List<String> nobody = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                unpacked.toString(), "cat", secret.toString()));
        Process process = new ProcessBuilder(nobody).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isNotZero();
        assertThat(output).doesNotContain("root's only");
        assertThat(member.delete("/api/v1/teams/" + team + "/containers/caps?force=true").status()).isEqualTo(204);
    }

    @Test
    void aSparseFileBombIsRefusedWithAProblemNamingTheLayerAndLeavesNothing() throws Exception {
        String team = "spb-" + UUID.randomUUID().toString().substring(0, 6);
        Http member = team(team);
        Path files = Files.createDirectories(env.work.resolve("sparse"));
        try (RandomAccessFile file = new RandomAccessFile(files.resolve("bomb").toFile(), "rw")) {
            file.setLength(2L << 30); // a 2 GiB hole, past the server's 1 GiB layer limit
        }
        Path tar = files.resolve("bomb.tar");
        Commands.run(List.of("tar", "--sparse", "--format=gnu", "-C", files.toString(), "-cf", tar.toString(), "bomb"));
        Files.delete(files.resolve("bomb"));
        assertThat(Files.size(tar)).as("a tiny archive").isLessThan(20 * 1024);
        String digest = importImage(team, "sparse", true, Files.readAllBytes(tar));

        Response refused = member.post("/api/v1/teams/" + team + "/containers",
                "{\"name\":\"bomb\",\"image\":\"" + digest + "\",\"command\":[\"/bin/true\"]}");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("detail").asString()).containsPattern("unpack layer sha256:[0-9a-f]{64}: ")
                .contains("layer entry \"bomb\" is a sparse file of 2147483648 bytes, past the layer's limit of 1073741824 bytes");
        assertThat(member.get("/api/v1/teams/" + team + "/containers/bomb").status()).isEqualTo(404);
        try (Stream<Path> all = Files.walk(env.work.resolve("data"))) {
            assertThat(all.filter(p -> p.getFileName().toString().startsWith(".tmp-") || p.endsWith("fs/bomb"))).isEmpty();
        }
    }

    /** Busybox (when {@code withBusybox}) with {@code tar} on top, imported by the team from an OCI archive; its digest. */
    private String importImage(String team, String name, boolean withBusybox, byte[] tar) throws Exception {
        OciImageBuilder builder = OciImageBuilder.start(Files.createDirectories(env.work.resolve(name)), "t");
        if (withBusybox) {
            BusyboxRootfs.create(builder.rootfs());
            builder.commit();
        }
        builder.appendZstdLayer(tar);
        Path archive = env.work.resolve(name + ".tar");
        Commands.run(List.of("skopeo", "copy", "--quiet", "oci:" + builder.layout() + ":t", "oci-archive:" + archive + ":hostile/" + name + ":1"));
        HttpResponse<String> imported = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/api/v1/teams/" + team + "/images/import"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((team + "-m:" + PASSWORD).getBytes()))
                .header("Content-Type", "application/x-tar").POST(HttpRequest.BodyPublishers.ofFile(archive)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(imported.statusCode()).as(imported.body()).isEqualTo(201);
        return tools.jackson.databind.json.JsonMapper.builder().build().readTree(imported.body()).get("digest").asString();
    }

    private JsonNode await(Http as, String team, String name, String state) {
        return Awaitility.await().alias("container " + name + " becomes " + state).atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> as.get("/api/v1/teams/" + team + "/containers/" + name).json(), c -> c.get("state").asString().equals(state));
    }
}
