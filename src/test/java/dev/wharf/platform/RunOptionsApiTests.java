package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.runtime.local.RuntimeSettings;
import dev.wharf.testing.BusyboxLayout;
import dev.wharf.testing.BusyboxRootfs;
import dev.wharf.testing.Http;
import dev.wharf.testing.Http.Response;
import dev.wharf.testing.OciImageBuilder;
import dev.wharf.testing.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
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
 * {@code init}, {@code tmpfs}, {@code readOnlyRootfs}, {@code stopTimeout} and the image's stop
 * signal over HTTP against real runc containers: what the request asks for is what the container
 * gets, stop, restart and delete keep to the container's timeout (a forced delete kills at once,
 * as {@code docker rm -f}), and a node without its init refuses only containers that ask for one.
 */
@Tag("root")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@DirtiesContext
class RunOptionsApiTests {

    static final String PASSWORD = ApiTeam.PASSWORD;
    static TestNode env;
    static String busybox;
    /** an image whose config says {@code STOPSIGNAL SIGUSR1} */
    static String usr1;
    /** the node's init: a copy of tini-static that a test takes away */
    static Path init;

    @LocalServerPort
    int port;

    @Autowired
    dev.wharf.runtime.api.RuntimeService runtime;

    static dev.wharf.runtime.api.RuntimeService node;

    Http admin;
    Http member;
    String team;
    ApiTeam teamMade;

    @BeforeAll
    static void images() throws Exception {
        env = TestNode.start("wharf-run-options-api-");
        busybox = env.push(BusyboxLayout.AMD64, "library/busybox:1");
        OciImageBuilder image = OciImageBuilder.start(Files.createDirectories(env.work.resolve("usr1")), "usr1");
        BusyboxRootfs.create(image.rootfs());
        image.commit();
        image.config("--config.stopsignal=SIGUSR1", "--config.cmd=/bin/sh");
        env.registry.push("oci:" + image.layout() + ":usr1", "team/usr1:1");
        usr1 = env.registry.host() + "/team/usr1:1";
        init = env.work.resolve("tini-static");
        Files.copy(Path.of(RuntimeSettings.DEFAULT_INIT), init);
    }

    @DynamicPropertySource
    static void runtime(DynamicPropertyRegistry properties) {
        env.register(properties);
        properties.add("wharf.runtime.init", () -> init.toString());
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
        ApiTeam made = ApiTeam.create(port, "ro");
        admin = made.admin();
        member = made.member();
        team = made.name();
        teamMade = made;
    }

    @AfterEach
    void deleteAll() {
        teamMade.deleteContainers();
    }

    private String path(String name) {
        return "/api/v1/teams/" + team + "/containers/" + name;
    }

    private Response create(String name, String image, String body) {
        return member.post("/api/v1/teams/" + team + "/containers", "{\"name\":\"" + name + "\",\"image\":\"" + image + "\"" + body + "}");
    }

    private JsonNode created(String name, String image, String body) {
        Response created = create(name, image, body);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json();
    }

    private String awaitLog(String name, String text) {
        return Awaitility.await("log of " + name + " shows " + text).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> member.get(path(name) + "/logs").body(), log -> log.contains(text));
    }

    private JsonNode exec(String name, String script) {
        Response exec = member.post(path(name) + "/exec", "{\"command\":[\"/bin/sh\",\"-c\",\"" + script + "\"]}");
        assertThat(exec.status()).as(exec.toString()).isEqualTo(200);
        return exec.json();
    }

    /** Seconds the call took. */
    private static double timed(Runnable call) {
        long begin = System.nanoTime();
        call.run();
        return (System.nanoTime() - begin) / 1e9;
    }

    private static final String IGNORES_TERM = ",\"command\":[\"/bin/sh\",\"-c\",\"trap '' TERM; echo ready; while true; do sleep 0.1; done\"]";

    @Test
    void theImagesStopSignalIsWhatAStopSends() {
        created("quits", usr1, ",\"command\":[\"/bin/sh\",\"-c\","
                + "\"trap 'echo got USR1; exit 7' USR1; trap 'echo got TERM; exit 15' TERM; echo ready; while true; do sleep 0.1; done\"]");
        awaitLog("quits", "ready");

        Response stopped = member.post(path("quits") + "/stop", null);

        assertThat(stopped.status()).as(stopped.toString()).isEqualTo(200);
        assertThat(stopped.json().get("exitCode").asInt()).isEqualTo(7);
        assertThat(member.get(path("quits") + "/logs").body()).contains("got USR1").doesNotContain("got TERM");
    }

    @Test
    void stopAndRestartWaitTheContainersStopTimeoutUnlessTheCallerGivesOne() {
        JsonNode view = created("stubborn", busybox, IGNORES_TERM + ",\"stopTimeout\":2");
        assertThat(view.get("stopTimeout").asInt()).isEqualTo(2);
        assertThat(created("plain", busybox, ",\"command\":[\"/bin/true\"],\"start\":false").get("stopTimeout").asInt())
                .as("the default").isEqualTo(10);
        awaitLog("stubborn", "ready");

        double stop = timed(() -> assertThat(member.post(path("stubborn") + "/stop", null).json().get("exitCode").asInt()).isEqualTo(137));
        assertThat(stop).as("killed after its 2 s, well before the default 10 s").isBetween(1.9, 7.0);

        assertThat(member.post(path("stubborn") + "/start", null).status()).isEqualTo(200);
        awaitLog("stubborn", "ready\nready");
        double restart = timed(() -> assertThat(member.post(path("stubborn") + "/restart", null).status()).isEqualTo(200));
        assertThat(restart).as("a restart stops as a stop does").isBetween(1.9, 8.0);

        awaitLog("stubborn", "ready\nready\nready");
        double given = timed(() -> assertThat(member.post(path("stubborn") + "/stop?timeout=0", null).status()).isEqualTo(200));
        assertThat(given).as("the caller's timeout wins").isLessThan(1.9);
    }

    @Test
    void aForcedDeleteKillsARunningContainerAtOnceLikeDockerRmF() {
        created("slow", busybox, IGNORES_TERM + ",\"stopTimeout\":60");
        awaitLog("slow", "ready");
        String id = member.get(path("slow")).json().get("id").asString();

        double took = timed(() -> assertThat(member.delete(path("slow") + "?force=true").status()).isEqualTo(204));

        assertThat(took).isLessThan(10.0);
        assertThat(runtime.list()).noneMatch(c -> c.id().equals(id));
    }

    @Test
    void badStopTimeoutsAndTmpfsMountsAre400sAndNothingIsCreated() {
        assertThat(member.post("/api/v1/teams/" + team + "/volumes", "{\"name\":\"data\",\"size\":\"1Mi\"}").status()).isEqualTo(201);
        int before = runtime.list().size();
        List<List<String>> refused = List.of(
                List.of(",\"stopTimeout\":-1", "stopTimeout"),
                List.of(",\"stopTimeout\":100000", "stopTimeout"),
                List.of(",\"tmpfs\":[{\"path\":\"/proc\",\"size\":\"1Mi\"}]", "tmpfs[0]"),
                List.of(",\"tmpfs\":[{\"path\":\"//dev/\",\"size\":\"1Mi\"}]", "tmpfs[0]"),
                List.of(",\"tmpfs\":[{\"path\":\"relative\",\"size\":\"1Mi\"}]", "tmpfs[0]"),
                List.of(",\"tmpfs\":[{\"path\":\"/run\"}]", "tmpfs[0]"),
                List.of(",\"tmpfs\":[{\"path\":\"/run\",\"size\":\"1Ki\"}]", "tmpfs[0]"),
                List.of(",\"tmpfs\":[{\"path\":\"/run\",\"size\":\"1Mi\"},{\"path\":\"/run/\",\"size\":\"1Mi\"}]", "tmpfs[1].path"),
                List.of(",\"volumes\":[{\"name\":\"data\",\"path\":\"/data\"}],\"tmpfs\":[{\"path\":\"/data/\",\"size\":\"1Mi\"}]",
                        "tmpfs[0].path"));
        for (List<String> bad : refused) {
            Response response = create("bad", busybox, ",\"command\":[\"/bin/true\"]" + bad.get(0));
            assertThat(response.status()).as(bad.get(0) + ": " + response).isEqualTo(400);
            assertThat(response.body()).as(bad.get(0)).contains(bad.get(1));
        }
        assertThat(member.get("/api/v1/teams/" + team + "/containers").json()).isEmpty();
        assertThat(runtime.list()).hasSize(before);
    }

    @Test
    void aContainerWithInitRunsItAsPid1AndItsCommandGetsTheStopSignal() {
        JsonNode view = created("inited", busybox, ",\"init\":true,\"command\":[\"/bin/sh\",\"-c\","
                + "\"trap 'echo child got TERM; exit 42' TERM; echo ready; while true; do sleep 0.1; done\"]");
        assertThat(view.get("init").asBoolean()).isTrue();
        awaitLog("inited", "ready");
        assertThat(exec("inited", "tr '\\\\0' ' ' < /proc/1/cmdline").get("stdout").asString()).startsWith("/dev/init -- /bin/sh -c");

        JsonNode stopped = member.post(path("inited") + "/stop", null).json();

        assertThat(stopped.get("exitCode").asInt()).isEqualTo(42);
        assertThat(member.get(path("inited") + "/logs").body()).contains("child got TERM");
        JsonNode plain = created("plain", busybox, ",\"command\":[\"/bin/sleep\",\"300\"]");
        assertThat(plain.get("init").asBoolean()).isFalse();
        assertThat(exec("plain", "tr '\\\\0' ' ' < /proc/1/cmdline").get("stdout").asString()).startsWith("/bin/sleep 300");
    }

    @Test
    void aReadOnlyRootWithATmpfsAndAVolumeTakesWritesOnlyWhereTheyAreMounted() {
        assertThat(member.post("/api/v1/teams/" + team + "/volumes", "{\"name\":\"data\",\"size\":\"1Mi\"}").status()).isEqualTo(201);
        JsonNode view = created("sealed", busybox, ",\"command\":[\"/bin/sleep\",\"300\"],\"readOnlyRootfs\":true,"
                + "\"tmpfs\":[{\"path\":\"/scratch\",\"size\":\"1Mi\"}],\"volumes\":[{\"name\":\"data\",\"path\":\"/data\"}]");
        assertThat(view.get("readOnlyRootfs").asBoolean()).isTrue();
        assertThat(view.get("tmpfs").get(0).get("path").asString()).isEqualTo("/scratch");

        JsonNode root = exec("sealed", "echo x > /etc/x; echo x > /tmp/x");
        assertThat(root.get("stderr").asString()).contains("/etc/x: Read-only file system").contains("/tmp/x: Read-only file system");
        JsonNode mounted = exec("sealed", "echo v > /data/v && echo t > /scratch/t && cat /data/v /scratch/t && stat -c %a /scratch"
                + " && grep -c sealed /etc/hosts");
        assertThat(mounted.get("stdout").asString()).isEqualTo("v\nt\n1777\n1\n");
        JsonNode full = exec("sealed", "dd if=/dev/zero of=/scratch/fill bs=64k count=32");
        assertThat(full.get("exitCode").asInt()).isNotZero();
        assertThat(full.get("stderr").asString()).contains("No space left on device");
    }

    @Test
    void aNodeWithoutItsInitRefusesOnlyContainersThatAskForOneAndSaysWhichPackage() throws Exception {
        Path away = env.work.resolve("tini-away");
        Files.move(init, away);
        try {
            JsonNode local = admin.get("/api/v1/nodes").json().get(0);
            assertThat(local.get("state").asString()).isEqualTo("up");
            assertThat(local.get("problems").get(0).asString()).contains("tini package");

            Response refused = create("needs-init", busybox, ",\"init\":true,\"command\":[\"/bin/sleep\",\"300\"]");
            assertThat(refused.status()).as(refused.toString()).isEqualTo(503);
            assertThat(refused.json().get("detail").asString()).contains("tini package");
            assertThat(member.get("/api/v1/teams/" + team + "/containers").json()).isEmpty();

            assertThat(created("no-init", busybox, ",\"command\":[\"/bin/sleep\",\"300\"]").get("state").asString()).isEqualTo("running");
        } finally {
            Files.move(away, init, StandardCopyOption.REPLACE_EXISTING);
        }
        assertThat(admin.get("/api/v1/nodes").json().get(0).get("problems")).isEmpty();
        assertThat(created("needs-init", busybox, ",\"init\":true,\"command\":[\"/bin/sleep\",\"300\"]").get("state").asString())
                .isEqualTo("running");
    }
}
