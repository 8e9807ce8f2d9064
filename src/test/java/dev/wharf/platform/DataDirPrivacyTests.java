package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wharf.runtime.api.ContainerInfo;
import dev.wharf.runtime.api.IdMapping;
import dev.wharf.testing.BusyboxLayout;
import dev.wharf.testing.Http;
import dev.wharf.testing.Http.Response;
import dev.wharf.testing.TestNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A local user of a node, and another team's ids, read nothing of a team's containers: with a
 * real server (H2 in files under the data dir) and real containers, a {@code nobody} process
 * cannot read a container's config.json (where the team's secret environment is), its log, runc's
 * state or the database, nor list the data directory and its trees; team B's mapped root cannot
 * pass into team A's container or volume directory; and the containers still run.
 */
@Tag("root")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@DirtiesContext
class DataDirPrivacyTests {

    static final String SECRET = "s3cret-" + UUID.randomUUID();
    static TestNode env;
    static String image;
    static dev.wharf.runtime.api.RuntimeService node;

    @LocalServerPort
    int port;

    @Autowired
    dev.wharf.runtime.api.RuntimeService runtime;

    @Autowired
    JdbcTemplate jdbc;

    @BeforeAll
    static void registry() throws Exception {
        env = TestNode.start("wharf-privacy-");
        image = env.push(BusyboxLayout.AMD64, "library/busybox:1");
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry properties) {
        env.register(properties);
        properties.add("spring.datasource.url", () -> "jdbc:h2:file:" + env.work.resolve("data/db/wharf") + ";DB_CLOSE_ON_EXIT=FALSE;TRACE_LEVEL_FILE=0");  // no trace file written after the work dir is gone
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (env != null) {
            env.close(node);
        }
    }

    @Test
    void noLocalUserAndNoOtherTeamReadsATeamsContainerVolumeOrTheDatabase() throws Exception {
        node = runtime;
        Http admin = Http.to(port).basic("admin", ApiFlowTests.ADMIN_PASSWORD);
        String teamA = "pa-" + UUID.randomUUID().toString().substring(0, 6);
        String teamB = "pb-" + UUID.randomUUID().toString().substring(0, 6);
        for (String team : List.of(teamA, teamB)) {
            assertThat(admin.post("/api/v1/teams", "{\"name\":\"" + team + "\"}").status()).isEqualTo(201);
        }
        assertThat(admin.post("/api/v1/teams/" + teamA + "/volumes", "{\"name\":\"data\",\"size\":\"16Mi\"}").status()).isEqualTo(201);
        Response created = admin.post("/api/v1/teams/" + teamA + "/containers", "{\"name\":\"app\",\"image\":\"" + image + "\","
                + "\"command\":[\"/bin/sh\",\"-c\",\"echo started $API_KEY; echo $API_KEY > /data/key; sleep 300\"],"
                + "\"env\":{\"API_KEY\":\"" + SECRET + "\"},\"volumes\":[{\"name\":\"data\",\"path\":\"/data\"}]}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("state").asString()).as("a container still starts").isEqualTo("running");
        Response other = admin.post("/api/v1/teams/" + teamB + "/containers", "{\"name\":\"app\",\"image\":\"" + image + "\","
                + "\"command\":[\"sleep\",\"300\"]}");
        assertThat(other.status()).as(other.toString()).isEqualTo(201);
        long idA = jdbc.queryForObject("select id from teams where name = ?", Long.class, teamA);
        long idB = jdbc.queryForObject("select id from teams where name = ?", Long.class, teamB);
        ContainerInfo app = runtime.list().stream().filter(c -> c.teamId() == idA).findFirst().orElseThrow();
        Path data = env.work.resolve("data");
        Path container = data.resolve("containers").resolve(app.id());
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> Files.readString(container.resolve("ctr.log")).contains(SECRET));
        assertThat(Files.readString(container.resolve("bundle/config.json"))).as("root reads it").contains(SECRET);
        assertThat(Files.readString(container.resolve("ctr.log"))).contains(SECRET);
        Path volume = data.resolve("volumes/team-" + idA);
        List<Path> databaseFiles;
        try (var files = Files.list(data.resolve("db"))) {
            databaseFiles = files.filter(Files::isRegularFile).toList();
        }
        assertThat(databaseFiles).isNotEmpty();

        List<List<String>> attempts = new ArrayList<>();
        attempts.add(List.of("cat", container.resolve("bundle/config.json").toString()));
        attempts.add(List.of("cat", container.resolve("ctr.log").toString()));
        attempts.add(List.of("cat", container.resolve("container.json").toString()));
        attempts.add(List.of("cat", data.resolve("runc").resolve(app.id()).resolve("state.json").toString()));
        attempts.add(List.of("cat", volume.resolve("data/key").toString()));
        databaseFiles.forEach(f -> attempts.add(List.of("cat", f.toString())));
        for (String dir : List.of("", "containers", "snapshots", "runc", "content", "images", "volumes", "db", "network", "teams")) {
            attempts.add(List.of("ls", data.resolve(dir).toString()));
        }
        for (List<String> attempt : attempts) {
            Run nobody = as(65534, attempt);
            assertThat(nobody.exitCode).as("nobody: %s -> %s", attempt, nobody.output).isNotZero();
            assertThat(nobody.output).doesNotContain(SECRET).doesNotContain(app.id() + "\n");
        }

        long rootA = IdMapping.forTeam(idA, 1_000_000).hostBase();
        long rootB = IdMapping.forTeam(idB, 1_000_000).hostBase();
        for (Path teamAsDir : List.of(container, container.resolve("bundle/rootfs"), volume, volume.resolve("data"))) {
            Run b = as(rootB, List.of("ls", teamAsDir.toString()));
            assertThat(b.exitCode).as("team B's root: ls %s -> %s", teamAsDir, b.output).isNotZero();
            assertThat(b.output).contains("Permission denied");
        }
        Run a = as(rootA, List.of("ls", container.resolve("bundle/rootfs").toString()));
        assertThat(a.exitCode).as("team A's own root still passes to its root filesystem: " + a.output).isZero();
        assertThat(a.output).contains("bin");
        assertThat(as(rootA, List.of("cat", container.resolve("bundle/config.json").toString())).exitCode)
                .as("not even the team's own ids read the bundle's config").isNotZero();

        assertThat(mode(data)).isEqualTo("rwx--x--x");
        assertThat(mode(data.resolve("db"))).isEqualTo("rwx------");
        databaseFiles.forEach(f -> assertThat(mode(f)).as(f.toString()).isEqualTo("rw-------"));
        assertThat(mode(container.resolve("bundle/config.json"))).isEqualTo("rw-------");
        assertThat(mode(container.resolve("ctr.log"))).isEqualTo("rw-------");
        assertThat(mode(container)).isEqualTo("rwx--x---");
        assertThat(runtime.inspect(app.id()).state().name()).isEqualTo("RUNNING");

        for (String team : List.of(teamA, teamB)) {
            assertThat(admin.delete("/api/v1/teams/" + team + "/containers/app?force=true").status()).isEqualTo(204);
        }
        assertThat(admin.delete("/api/v1/teams/" + teamA + "/volumes/data").status()).isEqualTo(204);
    }

    @Test
    void aRuntimeFailureTellsTheClientWhatFailedWithoutTheNodesPaths() throws Exception {
        node = runtime;
        Http admin = Http.to(port).basic("admin", ApiFlowTests.ADMIN_PASSWORD);
        String team = "ph-" + UUID.randomUUID().toString().substring(0, 6);
        assertThat(admin.post("/api/v1/teams", "{\"name\":\"" + team + "\"}").status()).isEqualTo(201);
        assertThat(admin.post("/api/v1/teams/" + team + "/volumes", "{\"name\":\"data\",\"size\":\"16Mi\"}").status()).isEqualTo(201);
        // a volume directory mounted onto a file of the image: runc's mount fails, naming the volume's host path
        Response failed = admin.post("/api/v1/teams/" + team + "/containers", "{\"name\":\"bad\",\"image\":\"" + image + "\","
                + "\"command\":[\"sleep\",\"300\"],\"volumes\":[{\"name\":\"data\",\"path\":\"/bin/busybox\"}]}");
        assertThat(failed.status()).as(failed.toString()).isGreaterThanOrEqualTo(400);
        String detail = failed.json().get("detail").asString();
        assertThat(detail).as(detail).isNotBlank().doesNotContain(env.work.toString()).doesNotContain("/var/").doesNotContain("/containers/")
                .doesNotContain("/volumes/");
        assertThat(failed.body()).doesNotContain(env.work.toString());
        assertThat(admin.get("/api/v1/teams/" + team + "/containers").json()).isEmpty();
        assertThat(admin.delete("/api/v1/teams/" + team + "/volumes/data").status()).isEqualTo(204);
    }

    private static String mode(Path path) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, java.nio.file.LinkOption.NOFOLLOW_LINKS));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    record Run(int exitCode, String output) {
    }

    /** Runs {@code command} as host uid and gid {@code id} with no supplementary groups. */
    static Run as(long id, List<String> command) throws Exception {
        List<String> line = new ArrayList<>(List.of("setpriv", "--reuid=" + id, "--regid=" + id, "--clear-groups"));
        line.addAll(command);
        Process process = new ProcessBuilder(line).redirectErrorStream(true).redirectInput(new File("/dev/null")).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output);
    }
}
