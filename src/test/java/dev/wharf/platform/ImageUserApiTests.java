package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.runtime.api.RuntimeService;
import dev.wharf.testing.AppImage;
import dev.wharf.testing.Commands;
import dev.wharf.testing.Http;
import dev.wharf.testing.Http.Response;
import dev.wharf.testing.ProcessIds;
import dev.wharf.testing.TestCgroups;
import dev.wharf.testing.TestNode;
import dev.wharf.testing.Terminal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Users by name over the REST API, as {@code docker run} resolves them: an image built with
 * {@code USER app} ({@link AppImage}) runs as the team's mapping of app's ids, groups and home, read
 * back from the host, its health check is probed and acted on and its stop signal ends it; a
 * request's {@code user} overrides it; and images whose {@code /etc/passwd}
 * leads to the host's files, cannot be read, or lacks the user are refused with a 400 that leaves
 * nothing behind.
 */
@Tag("root")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@DirtiesContext
class ImageUserApiTests {

    static final String PASSWORD = ApiTeam.PASSWORD;
    static TestNode env;
    static RuntimeService node;
    static String app;
    /** attack images by name: their /etc/passwd is a link to the host's, up and out, to a host-only file; a FIFO; 1 MiB + 1 */
    static final Map<String, String> attacks = new LinkedHashMap<>();
    /** a passwd that exists only on the host; an image that reads it would run app as 4242 */
    static Path hostOnly;

    @LocalServerPort
    int port;

    @Autowired
    RuntimeService runtime;

    Http admin;
    Http member;
    String team;
    ApiTeam teamMade;

    @BeforeAll
    static void images() throws Exception {
        env = TestNode.start("wharf-image-user-api-");
        app = AppImage.create(Files.createDirectories(env.work.resolve("app"))).push(env.registry, "t/app:1");
        hostOnly = Files.writeString(env.work.resolve("host-passwd"), "app:x:4242:4242:host:/host:/bin/sh\n");
        Map<String, AppImage.FilesChange> changes = new LinkedHashMap<>();
        changes.put("self", rootfs -> relink(rootfs, Path.of("/etc/passwd")));
        changes.put("updots", rootfs -> relink(rootfs, Path.of("../../../../../../etc/passwd")));
        changes.put("hostonly", rootfs -> relink(rootfs, hostOnly));
        changes.put("fifo", rootfs -> {
            Files.delete(rootfs.resolve("etc/passwd"));
            Commands.run(List.of("mkfifo", rootfs.resolve("etc/passwd").toString()));
        });
        changes.put("oversized", rootfs -> Files.writeString(rootfs.resolve("etc/passwd"), AppImage.PASSWD + "#".repeat(1 << 20) + "\n"));
        for (Map.Entry<String, AppImage.FilesChange> change : changes.entrySet()) {
            attacks.put(change.getKey(), AppImage.create(Files.createDirectories(env.work.resolve(change.getKey())), change.getValue())
                    .push(env.registry, "t/" + change.getKey() + ":1"));
        }
    }

    private static void relink(Path rootfs, Path target) throws IOException {
        Files.delete(rootfs.resolve("etc/passwd"));
        Files.createSymbolicLink(rootfs.resolve("etc/passwd"), target);
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry properties) {
        env.register(properties);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (env != null) {
            env.close(node);
        }
    }

    @BeforeEach
    void team() {
        node = runtime;
        ApiTeam made = ApiTeam.create(port, "iu");
        admin = made.admin();
        member = made.member();
        team = made.name();
        teamMade = made;
    }

    @AfterEach
    void deleteAll() {
        teamMade.deleteContainers();
    }

    private Response create(String name, String image, String user) {
        return member.post("/api/v1/teams/" + team + "/containers", "{\"name\":\"" + name + "\",\"image\":\"" + image + "\""
                + (user == null ? "" : ",\"user\":\"" + user + "\"") + "}");
    }

    /** The container's process, on the host. */
    private int pid(JsonNode container) {
        return runtime.inspect(container.get("id").asString()).pid();
    }

    private String exec(String name, String command) {
        JsonNode result = member.post("/api/v1/teams/" + team + "/containers/" + name + "/exec",
                "{\"command\":[\"/bin/sh\",\"-c\",\"" + command + "\"]}").json();
        assertThat(result.get("exitCode").asInt()).as(result.toString()).isZero();
        return result.get("stdout").asString();
    }

    @Test
    void theImagesUserRunsAsTheTeamsMappingOfItsIdsGroupsAndHomeInTheProcessExecsAndTerminals() throws Exception {
        Response created = create("app", app, null);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("state").asString()).isEqualTo("running");
        int pid = pid(created.json());
        long base = ProcessIds.hostBase(pid);
        assertThat(base).as("a team's ids are never the host's").isPositive();
        Path marker = Path.of("/proc", String.valueOf(pid), "root", AppImage.MARKER.substring(1));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(marker));

        assertThat(ProcessIds.status(pid, "Uid")).containsOnly(base + 1000);
        assertThat(ProcessIds.status(pid, "Gid")).containsOnly(base + 1000);
        assertThat(ProcessIds.status(pid, "Groups")).containsExactly(base + 1000, base + 2000);
        assertThat(Files.readString(Path.of("/proc", String.valueOf(pid), "environ")).split("\0")).contains("HOME=/home/app");
        assertThat(Files.readString(marker)).as("the entrypoint ran as app, then the command").isEqualTo("1000:1000 /app/serve.sh\n");
        assertThat(Files.getAttribute(marker, "unix:uid")).isEqualTo((int) (base + 1000));

        assertThat(exec("app", "id")).isEqualTo(AppImage.ID_OF_APP + "\n");
        assertThat(exec("app", "echo $HOME")).isEqualTo("/home/app\n");
        try (Terminal terminal = Terminal.open(port, team, "app", team + "-member", PASSWORD)) {
            terminal.type("id");
            assertThat(terminal.await("groups=1000(app),2000(extra)")).contains(AppImage.ID_OF_APP);
        }
    }

    /**
     * The rest of what {@code docker run} does with the image: its {@code HEALTHCHECK} is probed (as app,
     * inside the container) and shown, starting → healthy → unhealthy with the probe log; with
     * {@code onUnhealthy: restart} an unhealthy container is restarted and comes back healthy; and a
     * stop sends the image's {@code STOPSIGNAL} (SIGUSR1), which the command traps to exit 0 (TERM
     * would leave it running until the kill, exit code 137).
     */
    @Test
    void theImagesHealthCheckIsShownAndActedOnAndItsStopSignalEndsItGracefully() {
        Response watched = create("watched", app, null);
        assertThat(watched.status()).as(watched.toString()).isEqualTo(201);
        assertThat(watched.json().get("health").get("status").asString()).as("before the first probe").isEqualTo("starting");
        JsonNode healthy = awaitHealth("watched", "healthy");
        JsonNode passed = healthy.get("health").get("log").get(0);
        assertThat(passed.get("exitCode").asInt()).isZero();

        exec("watched", "rm " + AppImage.HEALTHY_FILE);
        JsonNode unhealthy = awaitHealth("watched", "unhealthy");
        assertThat(unhealthy.get("health").get("failingStreak").asInt()).isGreaterThanOrEqualTo(2);
        JsonNode log = unhealthy.get("health").get("log");
        assertThat(log.get(log.size() - 1).get("exitCode").asInt()).as("test -f fails with 1").isEqualTo(1);
        assertThat(unhealthy.get("state").asString()).as("report only, by default").isEqualTo("running");
        assertThat(unhealthy.get("restartCount").asInt()).isZero();

        Response restarted = member.post("/api/v1/teams/" + team + "/containers", "{\"name\":\"restarted\",\"image\":\"" + app
                + "\",\"healthcheck\":{\"onUnhealthy\":\"restart\"}}");
        assertThat(restarted.status()).as(restarted.toString()).isEqualTo(201);
        awaitHealth("restarted", "healthy");
        exec("restarted", "rm " + AppImage.HEALTHY_FILE);
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> container("restarted").get("restartCount").asInt() >= 1);
        assertThat(awaitHealth("restarted", "healthy").get("state").asString()).as("its command made the file again").isEqualTo("running");
        assertThat(admin.get("/api/v1/audit?team=" + team).body()).contains("unhealthy");

        Response stopped = member.post("/api/v1/teams/" + team + "/containers/watched/stop", "");
        assertThat(stopped.status()).as(stopped.toString()).isEqualTo(200);
        assertThat(stopped.json().get("exitCode").asInt()).as("SIGUSR1 reached the trap").isZero();
        assertThat(member.get("/api/v1/teams/" + team + "/containers/watched/logs?tail=10").body()).contains(AppImage.STOPPED_LINE);
    }

    private JsonNode container(String name) {
        return member.get("/api/v1/teams/" + team + "/containers/" + name).json();
    }

    private JsonNode awaitHealth(String name, String status) {
        return Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> container(name), c -> c.path("health").path("status").asString("").equals(status));
    }

    @Test
    void aRequestsUserOverridesTheImagesAsDockerRunUserDoes() throws Exception {
        record Case(String user, long uid, long gid, List<Long> groups, String home, String id) {
        }
        for (Case c : List.of(
                new Case("app:extra", 1000, 2000, List.of(2000L), "/home/app", "uid=1000(app) gid=2000(extra) groups=2000(extra)"),
                new Case("1000:2000", 1000, 2000, List.of(2000L), "/home/app", "uid=1000(app) gid=2000(extra) groups=2000(extra)"),
                new Case("0", 0, 0, List.of(0L), "/root", "uid=0(root) gid=0(root) groups=0(root)"),
                new Case("4242", 4242, 0, List.of(0L), "/", "uid=4242 gid=0(root) groups=0(root)"))) {
            String name = "u" + c.uid() + "-" + c.gid();
            Response created = create(name, app, c.user());
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            int pid = pid(created.json());
            long base = ProcessIds.hostBase(pid);
            assertThat(ProcessIds.status(pid, "Uid")).as(c.user()).containsOnly(base + c.uid());
            assertThat(ProcessIds.status(pid, "Gid")).as(c.user()).containsOnly(base + c.gid());
            assertThat(ProcessIds.status(pid, "Groups")).as(c.user())
                    .containsExactlyElementsOf(c.groups().stream().map(g -> base + g).toList());
            assertThat(exec(name, "id; echo $HOME")).as(c.user()).isEqualTo(c.id() + "\n" + c.home() + "\n");
            assertThat(admin.delete("/api/v1/teams/" + team + "/containers/" + name + "?force=true").status()).isEqualTo(204);
        }
    }

    @Test
    void imagesWhosePasswdLeadsToTheHostOrCannotBeReadOrLacksTheUserAreRefusedAndLeaveNothing() throws Exception {
        String loop = " has too many levels of symbolic links (a loop: links lead only to paths inside the root)";
        record Attack(String image, String user, String detail) {
        }
        // daemon is in the host's /etc/passwd: a node that followed the links as the host does would run it as uid 1
        List<Attack> refused = List.of(
                new Attack(attacks.get("self"), "daemon", "/etc/passwd of image " + attacks.get("self") + loop),
                new Attack(attacks.get("updots"), "daemon", "/etc/passwd of image " + attacks.get("updots") + loop),
                new Attack(attacks.get("hostonly"), null, "image " + attacks.get("hostonly") + " has no user \"app\" in its /etc/passwd"),
                new Attack(attacks.get("fifo"), null, "image " + attacks.get("fifo") + " has no user \"app\" in its /etc/passwd"),
                new Attack(attacks.get("oversized"), null, "/etc/passwd of image " + attacks.get("oversized") + " is larger than 1 MiB"),
                new Attack(app, "ghost", "image " + app + " has no user \"ghost\" in its /etc/passwd"),
                new Attack(app, "app:ghosts", "image " + app + " has no group \"ghosts\" in its /etc/group"));
        assertThat(Files.readString(Path.of("/etc/passwd"))).as("the host has the user the attacks ask for").contains("\ndaemon:");
        for (Attack attack : refused) {
            Response response = create("attack", attack.image(), attack.user());
            assertThat(response.status()).as(response.toString()).isEqualTo(400);
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(response.json().get("detail").asString()).isEqualTo(attack.detail());
            assertThat(member.get("/api/v1/teams/" + team + "/containers/attack").status()).isEqualTo(404);
            assertThat(member.get("/api/v1/teams/" + team + "/containers").json()).isEmpty();
            assertThat(member.get("/api/v1/teams/" + team + "/quota").json().get("usage").get("containers").asLong()).isZero();
            assertThat(runtime.list()).isEmpty();
            assertNothingOnTheNode();
        }
    }

    /** No container directory, runc state, root filesystem mount or container cgroup is left on the node. */
    private static void assertNothingOnTheNode() throws IOException {
        Path data = env.work.resolve("data");
        try (Stream<Path> containers = Files.list(data.resolve("containers"))) {
            assertThat(containers).isEmpty();
        }
        if (Files.isDirectory(data.resolve("runc"))) {
            try (Stream<Path> state = Files.list(data.resolve("runc"))) {
                assertThat(state).isEmpty();
            }
        }
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(data.resolve("containers").toString());
        for (Map.Entry<String, String> own : TestCgroups.own().entrySet()) {
            Path root = Path.of("/sys/fs/cgroup", own.getKey()).resolve(own.getValue().substring(1)).resolve(env.cgroupRoot);
            if (Files.isDirectory(root)) {
                try (Stream<Path> all = Files.walk(root)) {
                    assertThat(all.filter(p -> p.getFileName().toString().startsWith("ctr-"))).as(own.getKey()).isEmpty();
                }
            }
        }
    }
}
