package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.BusyboxLayout;
import dev.wharf.testing.BusyboxRootfs;
import dev.wharf.testing.Http;
import dev.wharf.testing.Http.Response;
import dev.wharf.testing.OciImageBuilder;
import dev.wharf.testing.TestNode;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
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
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Health checks through the API against real runc containers: from the request or from the image's
 * {@code HEALTHCHECK}, shown on the container as the node finds it, repaired by the reconciler when
 * an event was missed, restarting an unhealthy container when asked to, and refused with the field
 * named when the request's check is not one.
 */
@Tag("root")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@DirtiesContext
class HealthCheckApiTests {

    static final String PASSWORD = ApiTeam.PASSWORD;
    static TestNode env;
    static String busybox;
    /** busybox whose config has a HEALTHCHECK (test -e /bin/busybox every second) and runs sleep 300 */
    static String probedImage;

    @LocalServerPort
    int port;

    @Autowired
    dev.wharf.runtime.api.RuntimeService runtime;

    @Autowired
    JdbcTemplate jdbc;

    static dev.wharf.runtime.api.RuntimeService node;

    Http admin;
    Http member;
    String team;
    ApiTeam teamMade;

    @BeforeAll
    static void images() throws Exception {
        env = TestNode.start("wharf-health-api-");
        busybox = env.push(BusyboxLayout.AMD64, "library/busybox:1");
        OciImageBuilder image = OciImageBuilder.start(Files.createDirectories(env.work.resolve("probed")), "probed");
        BusyboxRootfs.create(image.rootfs());
        image.commit();
        image.config("--config.cmd", "/bin/sleep", "--config.cmd", "300");
        image.editConfig(config -> config.putObject("Healthcheck").put("Interval", 1_000_000_000L)
                .put("Timeout", 2_000_000_000L).put("Retries", 2).putArray("Test").add("CMD").add("/bin/test").add("-e").add("/bin/busybox"));
        env.registry.push("oci:" + image.layout() + ":probed", "library/probed:1");
        probedImage = env.registry.host() + "/library/probed:1";
    }

    @DynamicPropertySource
    static void runtime(DynamicPropertyRegistry properties) {
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
        ApiTeam made = ApiTeam.create(port, "hc");
        admin = made.admin();
        member = made.member();
        team = made.name();
        teamMade = made;
    }

    @AfterEach
    void deleteAll() {
        teamMade.deleteContainers();
    }

    private Response create(String name, String image, String body) {
        return member.post("/api/v1/teams/" + team + "/containers", "{\"name\":\"" + name + "\",\"image\":\"" + image + "\"" + body + "}");
    }

    private JsonNode get(String name) {
        return member.get("/api/v1/teams/" + team + "/containers/" + name).json();
    }

    private JsonNode await(String name, String what, Predicate<JsonNode> until) {
        return Awaitility.await(name + ": " + what).atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100))
                .until(() -> get(name), until);
    }

    private static Predicate<JsonNode> health(String status) {
        return c -> c.path("health").path("status").asString("").equals(status);
    }

    private int exec(String name, String... command) {
        StringBuilder args = new StringBuilder();
        for (String arg : command) {
            args.append(args.isEmpty() ? "" : ",").append('"').append(arg).append('"');
        }
        Response exec = member.post("/api/v1/teams/" + team + "/containers/" + name + "/exec", "{\"command\":[" + args + "]}");
        assertThat(exec.status()).as(exec.toString()).isEqualTo(200);
        return exec.json().get("exitCode").asInt();
    }

    @Test
    void aRequestsHealthCheckShowsStartingThenHealthyThenUnhealthyWithItsProbes() {
        Response created = create("web", busybox, ",\"command\":[\"/bin/sleep\",\"300\"],\"healthcheck\":{\"test\":[\"CMD-SHELL\","
                + "\"echo checking; test -f /tmp/healthy\"],\"interval\":\"1s\",\"timeout\":\"2s\",\"retries\":2}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("health").get("status").asString()).isEqualTo("starting");
        assertThat(created.json().get("healthcheck").get("interval").asString()).isEqualTo("1s");

        assertThat(exec("web", "/bin/touch", "/tmp/healthy")).isZero();
        JsonNode healthy = await("web", "healthy", health("healthy"));
        assertThat(healthy.get("health").get("failingStreak").asInt()).isZero();
        JsonNode probe = healthy.get("health").get("log").get(0);
        assertThat(probe.get("exitCode").asInt()).isZero();
        assertThat(probe.get("output").asString()).isEqualTo("checking\n");
        assertThat(Instant.parse(probe.get("end").asString())).isAfterOrEqualTo(Instant.parse(probe.get("start").asString()));
        assertThat(member.get("/api/v1/teams/" + team + "/containers").json().get(0).get("health").get("status").asString())
                .isEqualTo("healthy");
        Http browser = Http.withCookies(port);
        browser.form("/login", "username=" + team + "-member&password=" + PASSWORD + "&_csrf=" + Http.csrf(browser.get("/login").body()));
        assertThat(browser.get("/teams/" + team + "/containers/web").body()).as("the container's page")
                .contains("id=\"container-health\"").contains("data-health=\"healthy\"").contains("checking");
        assertThat(browser.get("/teams/" + team + "/workload/live").body()).as("the team's table").contains("data-health=\"healthy\"");

        assertThat(exec("web", "/bin/rm", "/tmp/healthy")).isZero();
        JsonNode unhealthy = await("web", "unhealthy", health("unhealthy"));
        assertThat(unhealthy.get("health").get("failingStreak").asInt()).isEqualTo(2);
        JsonNode log = unhealthy.get("health").get("log");
        assertThat(log.size()).isBetween(3, 5);
        assertThat(log.get(log.size() - 1).get("exitCode").asInt()).isEqualTo(1);
        assertThat(unhealthy.get("state").asString()).as("reported only, by default").isEqualTo("running");
        assertThat(unhealthy.get("restartCount").asInt()).isZero();
    }

    @Test
    void anImagesHealthcheckIsUsedUnlessTheRequestTurnsItOff() {
        Response created = create("probed", probedImage, "");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("health").get("status").asString()).isEqualTo("starting");
        assertThat(created.json().get("healthcheck").isNull()).as("the request named none").isTrue();
        JsonNode healthy = await("probed", "healthy", health("healthy"));
        assertThat(healthy.get("health").get("log").get(0).get("exitCode").asInt()).isZero();

        Response off = create("unprobed", probedImage, ",\"healthcheck\":{\"test\":[\"NONE\"]}");
        assertThat(off.status()).as(off.toString()).isEqualTo(201);
        assertThat(off.json().get("health").isNull()).isTrue();
        assertThat(runtime.inspect(off.json().get("id").asString()).spec().options().healthCheck()).isNull();
    }

    @Test
    void aMissedHealthEventIsRepairedByTheNextReconcilingPass() {
        Response created = create("probed", probedImage, "");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().get("id").asString();
        await("probed", "healthy", health("healthy"));
        // as if the events since its start were lost: the row says starting, 5 failures, no probes; the container
        // stays healthy, so no event comes to repair it: only a pass comparing the row with the node does
        assertThat(jdbc.update("update containers set health_status = 'starting', health_failing_streak = 5, health_log = null,"
                + " version = version + 1 where id = ?", id)).isEqualTo(1);
        JsonNode repaired = await("probed", "healthy again", c -> health("healthy").test(c)
                && c.get("health").get("failingStreak").asInt() == 0 && !c.get("health").get("log").isEmpty());
        assertThat(repaired.get("health").get("log").get(0).get("exitCode").asInt()).isZero();
    }

    @Test
    void onUnhealthyRestartRestartsWithTheRestartPolicysBackoffAndLimit() {
        Response created = create("flaky", busybox, ",\"command\":[\"/bin/sleep\",\"300\"],\"restartPolicy\":\"on-failure:2\","
                + "\"stopTimeout\":1,\"healthcheck\":{\"test\":[\"CMD\",\"/bin/false\"],\"interval\":\"1s\",\"retries\":1,"
                + "\"onUnhealthy\":\"restart\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("healthcheck").get("onUnhealthy").asString()).isEqualTo("restart");

        JsonNode gaveUp = await("flaky", "restarted twice, then left unhealthy", c -> c.get("restartCount").asInt() == 2
                && c.path("reason").asString("").contains("gave up"));
        assertThat(gaveUp.get("state").asString()).isEqualTo("running");
        assertThat(gaveUp.get("health").get("status").asString()).isEqualTo("unhealthy");
        assertThat(gaveUp.get("reason").asString()).startsWith("unhealthy: 1 health check failed in a row (last: exit code 1)")
                .endsWith("restart policy on-failure:2 gave up after 2 restarts");

        List<JsonNode> restarts = new java.util.ArrayList<>();
        admin.get("/api/v1/audit?team=" + team).json().forEach(e -> {
            if (e.get("action").asString().equals("RESTART unhealthy")) {
                restarts.add(e);
            }
        });
        assertThat(restarts).hasSize(2).allSatisfy(e -> {
            assertThat(e.get("actor").asString()).isEqualTo("wharf");
            assertThat(e.get("target").asString()).isEqualTo("/api/v1/teams/" + team + "/containers/flaky");
        });
        JsonNode second = restarts.stream().max(java.util.Comparator.comparing(e -> Instant.parse(e.get("time").asString()))).orElseThrow();
        assertThat(second.get("detail").asString()).contains("restart 2 in 200 ms");
        assertThat(Instant.parse(gaveUp.get("startedAt").asString())).as("the last start waited for the backoff")
                .isAfterOrEqualTo(Instant.parse(second.get("time").asString()).plusMillis(200));
        assertThat(Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> get("flaky").get("restartCount").asInt(), n -> n == 2)).as("no third restart").isEqualTo(2);
    }

    /**
     * A team whose unhealthy container ignores its stop signal for a long stop timeout (sleep as PID 1
     * has no TERM handler) must not hold up the restart of another team's unhealthy container.
     */
    @Test
    void aContainerSlowToStopDoesNotHoldUpAnotherTeamsUnhealthyRestart() {
        String check = ",\"command\":[\"/bin/sleep\",\"300\"],\"healthcheck\":{\"test\":[\"CMD\",\"/bin/false\"],"
                + "\"interval\":\"1s\",\"retries\":1,\"onUnhealthy\":\"restart\"}";
        Response slow = create("slow", busybox, check + ",\"stopTimeout\":600");
        assertThat(slow.status()).as(slow.toString()).isEqualTo(201);
        await("slow", "being stopped for its health", c -> c.get("state").asString().equals("restarting"));

        ApiTeam other = ApiTeam.create(port, "hc");
        try {
            Response quick = other.member().post("/api/v1/teams/" + other.name() + "/containers", "{\"name\":\"quick\",\"image\":\""
                    + busybox + "\"" + check + ",\"stopTimeout\":1}");
            assertThat(quick.status()).as(quick.toString()).isEqualTo(201);
            Instant firstStart = Instant.parse(quick.json().get("startedAt").asString());
            Awaitility.await("the other team's container stopped and started again meanwhile").atMost(Duration.ofSeconds(40))
                    .until(() -> other.member().get("/api/v1/teams/" + other.name() + "/containers/quick").json(),
                            c -> c.get("restartCount").asInt() >= 1 && c.get("state").asString().equals("running")
                                    && Instant.parse(c.get("startedAt").asString()).isAfter(firstStart));
            assertThat(get("slow").get("restartCount").asInt()).as("the slow one is still stopping").isEqualTo(1);
        } finally {
            other.deleteContainers();
        }
    }

    @Test
    void aHealthcheckThatIsNotOneIsRefusedNamingItsFieldAndCreatesNothing() {
        String command = ",\"command\":[\"/bin/sleep\",\"300\"],\"healthcheck\":";
        List<List<String>> refusals = List.of(
                List.of("{\"test\":[\"CURL\",\"http://localhost\"]}", "healthcheck.test"),
                List.of("{\"test\":[\"CMD\"]}", "healthcheck.test"),
                List.of("{\"test\":[\"CMD-SHELL\",\"true\",\"extra\"]}", "healthcheck.test"),
                List.of("{\"test\":[\"CMD\",\"true\"],\"interval\":\"5 parsecs\"}", "healthcheck.interval"),
                List.of("{\"test\":[\"CMD\",\"true\"],\"timeout\":\"500ms\"}", "healthcheck.timeout"),
                List.of("{\"test\":[\"CMD\",\"true\"],\"retries\":0}", "healthcheck.retries"),
                List.of("{\"test\":[\"CMD\",\"true\"],\"onUnhealthy\":\"explode\"}", "healthcheck.onUnhealthy"));
        for (List<String> refusal : refusals) {
            Response refused = create("bad", busybox, command + refusal.get(0));
            assertThat(refused.status()).as(refusal + ": " + refused).isEqualTo(400);
            assertThat(refused.json().get("errors").get(0).get("field").asString()).as(refusal.get(0)).isEqualTo(refusal.get(1));
        }
        assertThat(member.get("/api/v1/teams/" + team + "/containers").json()).isEmpty();
        assertThat(admin.get("/api/v1/teams/" + team + "/quota").json().get("usage").get("containers").asLong()).isZero();
        assertThat(runtime.list()).noneMatch(c -> c.name().equals("bad"));
    }
}
