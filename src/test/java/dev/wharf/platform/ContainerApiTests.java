package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.BusyboxLayout;
import dev.wharf.testing.Http;
import dev.wharf.testing.Http.Response;
import dev.wharf.testing.TestCgroups;
import dev.wharf.testing.TestNode;
import dev.wharf.testing.Terminal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
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
 * Containers end to end over HTTP against the real runtime: REST → admission → runtime →
 * kernel, with quotas, roles and restart policies.
 */
@Tag("root")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@DirtiesContext
class ContainerApiTests {

    static final String PASSWORD = "tidal-ember-4821";
    static TestNode env;
    static String image;

    @LocalServerPort
    int port;

    @org.springframework.beans.factory.annotation.Autowired
    dev.wharf.runtime.api.RuntimeService runtime;

    @org.springframework.beans.factory.annotation.Autowired
    org.springframework.jdbc.core.JdbcTemplate jdbc;

    @org.springframework.beans.factory.annotation.Autowired
    org.springframework.context.ApplicationContext context;

    static dev.wharf.runtime.api.RuntimeService node;

    Http admin;
    String team;
    Http member;
    Http viewer;

    @BeforeAll
    static void registry() throws Exception {
        env = TestNode.start("wharf-ctr-api-");
        image = env.push(BusyboxLayout.AMD64, "library/busybox:1");
    }

    @DynamicPropertySource
    static void runtime(DynamicPropertyRegistry properties) {
        env.register(properties);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        // every test deletes its team's containers; anything a failed test left on the node goes too
        if (env != null) {
            env.close(node);
        }
    }

    @BeforeEach
    void team() {
        node = runtime;
        admin = Http.to(port).basic("admin", ApiFlowTests.ADMIN_PASSWORD);
        team = "ct-" + UUID.randomUUID().toString().substring(0, 6);
        assertThat(admin.post("/api/v1/teams", "{\"name\":\"" + team + "\"}").status()).isEqualTo(201);
        for (String role : List.of("member", "viewer")) {
            admin.post("/api/v1/users", "{\"name\":\"" + team + "-" + role + "\",\"password\":\"" + PASSWORD + "\"}");
            admin.put("/api/v1/teams/" + team + "/members/" + team + "-" + role, "{\"role\":\"" + role + "\"}");
        }
        member = Http.to(port).basic(team + "-member", PASSWORD);
        viewer = Http.to(port).basic(team + "-viewer", PASSWORD);
    }

    @org.junit.jupiter.api.AfterEach
    void deleteAll() {
        Response list = admin.get("/api/v1/teams/" + team + "/containers");
        if (list.status() == 404) {
            return; // the test deleted its team
        }
        for (JsonNode c : list.json()) {
            assertThat(admin.delete("/api/v1/teams/" + team + "/containers/" + c.get("name").asString() + "?force=true").status())
                    .isEqualTo(204);
        }
    }

    private Response create(Http as, String name, String body) {
        return as.post("/api/v1/teams/" + team + "/containers", "{\"name\":\"" + name + "\",\"image\":\"" + image + "\"" + body + "}");
    }

    private JsonNode await(String name, String state) {
        return Awaitility.await().alias("container " + name + " becomes " + state).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> admin.get("/api/v1/teams/" + team + "/containers/" + name).json(), c -> c.get("state").asString().equals(state));
    }

    @Test
    void aMemberRunsAContainerAndReadsItsLogsStatsExecAndExitCode() throws Exception {
        Response created = create(member, "web", ",\"command\":[\"/bin/sh\",\"-c\",\"echo hello $GREETING; echo oops >&2; sleep 300\"],"
                + "\"env\":{\"GREETING\":\"wharf\"},\"resources\":{\"cpus\":0.5,\"memory\":\"64Mi\",\"pids\":50}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode c = created.json();
        assertThat(c.get("state").asString()).isEqualTo("running");
        assertThat(c.get("resources").get("memory").asLong()).isEqualTo(64L << 20);
        assertThat(c.get("node").asString()).isEqualTo("local");
        assertThat(c.get("imageDigest").asString()).startsWith("sha256:");

        String logs = Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> member.get("/api/v1/teams/" + team + "/containers/web/logs").body(), l -> l.contains("hello wharf") && l.contains("oops"));
        assertThat(logs).contains("hello wharf").contains("oops");
        assertThat(viewer.get("/api/v1/teams/" + team + "/containers/web/logs?tail=1&timestamps=true").body()).matches("(?s)\\d{4}-.* .*\n");
        JsonNode stats = member.get("/api/v1/teams/" + team + "/containers/web/stats").json();
        assertThat(stats.get("memoryLimitBytes").asLong()).isEqualTo(64L << 20);
        assertThat(stats.get("pids").asLong()).isPositive();
        JsonNode exec = member.post("/api/v1/teams/" + team + "/containers/web/exec", "{\"command\":[\"/bin/sh\",\"-c\",\"echo in-$HOSTNAME; exit 7\"]}").json();
        assertThat(exec.get("exitCode").asInt()).isEqualTo(7);
        assertThat(exec.get("stdout").asString()).isEqualTo("in-web\n");

        assertThat(viewer.post("/api/v1/teams/" + team + "/containers/web/stop", null).status()).isEqualTo(403);
        assertThat(viewer.post("/api/v1/teams/" + team + "/containers/web/exec", "{\"command\":[\"true\"]}").status()).isEqualTo(403);
        Http outsider = Http.to(port).basic("admin", ApiFlowTests.ADMIN_PASSWORD);
        admin.post("/api/v1/users", "{\"name\":\"" + team + "-out\",\"password\":\"" + PASSWORD + "\"}");
        outsider = Http.to(port).basic(team + "-out", PASSWORD);
        assertThat(outsider.get("/api/v1/teams/" + team + "/containers/web").status()).isEqualTo(404);
        assertThat(outsider.get("/api/v1/teams/" + team + "/containers/web/logs").status()).isEqualTo(404);

        JsonNode stopped = member.post("/api/v1/teams/" + team + "/containers/web/stop?timeout=1", null).json();
        assertThat(stopped.get("state").asString()).isEqualTo("exited");
        assertThat(stopped.get("exitCode").asInt()).isEqualTo(137);
        assertThat(member.post("/api/v1/teams/" + team + "/containers/web/start", null).json().get("state").asString()).isEqualTo("running");
        assertThat(member.delete("/api/v1/teams/" + team + "/containers/web").status()).isEqualTo(409);

        Response done = create(member, "job", ",\"command\":[\"/bin/sh\",\"-c\",\"exit 3\"]");
        assertThat(done.status()).isEqualTo(201);
        assertThat(await("job", "exited").get("exitCode").asInt()).isEqualTo(3);
        assertThat(admin.get("/api/v1/audit?team=" + team).body()).contains("POST /api/v1/teams/{team}/containers").contains("/exec");
        deleteAll();
    }

    @Test
    void theTerminalWebSocketGivesAShellThatFollowsResizes() throws Exception {
        assertThat(create(member, "shell", ",\"command\":[\"/bin/sh\",\"-c\",\"sleep 300\"]").status()).isEqualTo(201);
        try (Terminal terminal = Terminal.open(port, team, "shell", team + "-member", PASSWORD)) {
            terminal.type("echo hi-$((6*7)); stty size");
            assertThat(terminal.await("24 80")).contains("hi-42");
            terminal.resize(132, 43);
            terminal.type("stty size; exit");
            terminal.await("43 132");
            assertThat(terminal.closedWith()).startsWith("1000");
        }
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> Terminal.open(port, team, "shell", team + "-viewer", PASSWORD)))
                .as("a viewer gets no terminal").isNotNull();
    }

    @Test
    void quotasAreExactUnderConcurrencyAndNamedWhenExceeded() throws Exception {
        assertThat(admin.put("/api/v1/teams/" + team + "/quota", "{\"containers\":10,\"memory\":\"256Mi\"}").status()).isEqualTo(200);
        assertThat(admin.put("/api/v1/teams/" + team + "/quota/defaults", "{\"memory\":\"16Mi\"}").status()).isEqualTo(200);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Response>> results = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String name = "p" + i;
            results.add(pool.submit(() -> create(member, name, ",\"start\":false,\"command\":[\"/bin/true\"]")));
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        int ok = 0;
        int refused = 0;
        for (Future<Response> result : results) {
            Response r = result.get();
            if (r.status() == 201) {
                ok++;
            } else {
                assertThat(r.status()).as(r.toString()).isEqualTo(403);
                assertThat(r.json().get("resource").asString()).isEqualTo("containers");
                refused++;
            }
        }
        assertThat(ok).isEqualTo(10);
        assertThat(refused).isEqualTo(30);
        JsonNode quota = viewer.get("/api/v1/teams/" + team + "/quota").json();
        assertThat(quota.get("usage").get("containers").asLong()).isEqualTo(10);
        assertThat(quota.get("usage").get("memory").asLong()).isEqualTo(160L << 20);
        deleteAll();

        create(member, "a", ",\"start\":false,\"command\":[\"/bin/true\"],\"resources\":{\"memory\":\"200Mi\"}");
        Response over = create(member, "b", ",\"start\":false,\"command\":[\"/bin/true\"],\"resources\":{\"memory\":\"100Mi\"}");
        assertThat(over.status()).isEqualTo(403);
        assertThat(over.json().get("type").asString()).endsWith("/quota-exceeded");
        assertThat(over.json().get("resource").asString()).isEqualTo("memory");
        assertThat(over.json().get("requested").asLong()).isEqualTo(100L << 20);
        assertThat(over.json().get("used").asLong()).isEqualTo(200L << 20);
        assertThat(over.json().get("limit").asLong()).isEqualTo(256L << 20);
        assertThat(over.json().get("detail").asString())
                .isEqualTo("team \"" + team + "\" quota exceeded: memory requested 100Mi, used 200Mi of 256Mi");
        assertThat(member.get("/api/v1/teams/" + team + "/containers/b").status()).isEqualTo(404);

        Response below = admin.put("/api/v1/teams/" + team + "/quota", "{\"memory\":\"128Mi\"}");
        assertThat(below.status()).isEqualTo(409);
        assertThat(below.json().get("detail").asString()).contains("uses 200Mi memory");
        assertThat(member.put("/api/v1/teams/" + team + "/quota", "{\"memory\":\"1Gi\"}").status()).isEqualTo(403);
        assertThat(admin.put("/api/v1/teams/" + team + "/quota", "{\"memory\":\"1Gi\",\"cpus\":1.5,\"pids\":500}").status()).isEqualTo(200);
        JsonNode teamInfo = admin.get("/api/v1/teams/" + team).json();
        assertThat(teamInfo.get("name").asString()).isEqualTo(team);
        long teamId = teamId();
        Path memory = Path.of("/sys/fs/cgroup/memory").resolve(TestCgroups.own().get("memory").substring(1)).resolve(env.cgroupRoot)
                .resolve("team-" + teamId).resolve("memory.limit_in_bytes");
        assertThat(Files.readString(memory).strip()).isEqualTo(String.valueOf(1L << 30));
        deleteAll();
    }

    private long teamId() {
        // the team cgroup is named after the team's id; find it by the only team directory of this run that matches
        String own = null;
        try {
            own = TestCgroups.own().get("memory");
            try (Stream<Path> dirs = Files.list(Path.of("/sys/fs/cgroup/memory").resolve(own.substring(1)).resolve(env.cgroupRoot))) {
                return dirs.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("team-"))
                        .map(n -> Long.parseLong(n.substring(5))).max(Long::compare).orElseThrow();
            }
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void onFailureRestartsWithBackoffAndStopsAtItsMax() throws Exception {
        Response created = create(member, "crash", ",\"command\":[\"/bin/sh\",\"-c\",\"echo try; exit 1\"],\"restartPolicy\":\"on-failure:2\"");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode c = Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> admin.get("/api/v1/teams/" + team + "/containers/crash").json(),
                        crash -> crash.get("restartCount").asInt() == 2 && crash.get("state").asString().equals("exited"));
        assertThat(c.get("restartCount").asInt()).isEqualTo(2);
        assertThat(c.get("state").asString()).isEqualTo("exited");
        assertThat(c.get("exitCode").asInt()).isEqualTo(1);
        Awaitility.await().alias("no restart past the policy's two").during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> admin.get("/api/v1/teams/" + team + "/containers/crash").json().get("restartCount").asInt() == 2);
        assertThat(admin.get("/api/v1/teams/" + team + "/containers/crash").json().get("restartCount").asInt()).isEqualTo(2);
        assertThat(member.get("/api/v1/teams/" + team + "/containers/crash/logs").body().split("try", -1)).hasSize(4);
        deleteAll();
    }

    @Test
    void whatAContainerWritesToItsOwnLayerCountsAgainstTheTeamsStorage() throws Exception {
        assertThat(admin.put("/api/v1/teams/" + team + "/quota", "{\"storage\":\"20Mi\"}").status()).isEqualTo(200);
        assertThat(create(member, "writer", ",\"command\":[\"/bin/sleep\",\"300\"]").status()).isEqualTo(201);
        write("dd if=/dev/zero of=/blob bs=1M count=12");
        awaitStorage(used -> used >= 12L << 20);
        assertThat(member.get("/api/v1/teams/" + team + "/containers/writer").json().get("writableBytes").asLong()).isEqualTo(12L << 20);
        // measured sizes are written without a new row version: the list shows them all the same
        assertThat(listedAs(member, "writer").get("writableBytes").asLong()).isEqualTo(12L << 20);
        Response volume = member.post("/api/v1/teams/" + team + "/volumes", "{\"name\":\"data\",\"size\":\"10Mi\"}");
        assertThat(volume.status()).as(volume.toString()).isEqualTo(403);
        assertThat(volume.json().get("resource").asString()).isEqualTo("storage");

        write("rm /blob");
        awaitStorage(used -> used < 1L << 20);
        assertThat(listedAs(member, "writer").get("writableBytes").asLong()).isLessThan(1L << 20);

        // past the quota: the meter stops the writer (aContainerWritingPastItsTeamsStorageQuotaIsStoppedWithTheReasonShown),
        // and nothing new starts while its layer holds the storage
        write("dd if=/dev/zero of=/blob bs=1M count=25");
        awaitStorage(used -> used > 20L << 20);
        Response another = create(member, "another", ",\"command\":[\"/bin/sleep\",\"300\"]");
        assertThat(another.status()).as(another.toString()).isEqualTo(403);
        assertThat(another.json().get("resource").asString()).isEqualTo("storage");
        await("writer", "exited");
        assertThat(member.delete("/api/v1/teams/" + team + "/containers/writer").status()).isEqualTo(204);
        awaitStorage(used -> used == 0);
        assertThat(member.post("/api/v1/teams/" + team + "/volumes", "{\"name\":\"data\",\"size\":\"10Mi\"}").status()).isEqualTo(201);
        deleteAll();
        assertThat(member.delete("/api/v1/teams/" + team + "/volumes/data").status()).isEqualTo(204);
    }

    private void write(String script) {
        Response exec = member.post("/api/v1/teams/" + team + "/containers/writer/exec", "{\"command\":[\"/bin/sh\",\"-c\",\"" + script + "\"]}");
        assertThat(exec.json().get("exitCode").asInt()).as(exec.toString()).isZero();
    }

    /** Waits (the layers are measured every second in tests) until the team's storage usage passes {@code test}. */
    private void awaitStorage(java.util.function.LongPredicate test) {
        java.util.concurrent.atomic.AtomicLong used = new java.util.concurrent.atomic.AtomicLong(-1);
        try {
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                used.set(viewer.get("/api/v1/teams/" + team + "/quota").json().get("usage").get("storage").asLong());
                return test.test(used.get());
            });
            return;
        } catch (ConditionTimeoutException e) {
            // told below, with what the row and the node say
        }
        JsonNode writer = viewer.get("/api/v1/teams/" + team + "/containers/writer").json();
        throw new AssertionError("storage usage stayed at " + used + "; the row says " + writer.path("writableBytes")
                + ", the node measures " + runtime.writableBytes(writer.path("id").asString()));
    }

    @Test
    void volumesKeepDataAcrossContainersWithinTheStorageQuota() throws Exception {
        assertThat(admin.put("/api/v1/teams/" + team + "/quota", "{\"storage\":\"1Mi\"}").status()).isEqualTo(200);
        Response volume = member.post("/api/v1/teams/" + team + "/volumes", "{\"name\":\"data\",\"size\":\"512Ki\"}");
        assertThat(volume.status()).as(volume.toString()).isEqualTo(201);
        Response over = member.post("/api/v1/teams/" + team + "/volumes", "{\"name\":\"more\",\"size\":\"768Ki\"}");
        assertThat(over.status()).isEqualTo(403);
        assertThat(over.json().get("resource").asString()).isEqualTo("storage");
        assertThat(viewer.post("/api/v1/teams/" + team + "/volumes", "{\"name\":\"v\",\"size\":\"1Ki\"}").status()).isEqualTo(403);

        Response writer = create(member, "writer", ",\"command\":[\"/bin/sh\",\"-c\",\"echo persisted > /data/file\"],"
                + "\"volumes\":[{\"name\":\"data\",\"path\":\"/data\"}]");
        assertThat(writer.status()).as(writer.toString()).isEqualTo(201);
        await("writer", "exited");
        assertThat(member.delete("/api/v1/teams/" + team + "/containers/writer").status()).isEqualTo(204);
        Response reader = create(member, "reader", ",\"command\":[\"/bin/sh\",\"-c\",\"cat /data/file; sleep 300\"],"
                + "\"volumes\":[{\"name\":\"data\",\"path\":\"/data\",\"readOnly\":true}]");
        assertThat(reader.status()).isEqualTo(201);
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> member.get("/api/v1/teams/" + team + "/containers/reader/logs").body().contains("persisted"));
        assertThat(member.get("/api/v1/teams/" + team + "/containers/reader/logs").body()).contains("persisted");
        JsonNode listed = viewer.get("/api/v1/teams/" + team + "/volumes").json().get(0);
        assertThat(listed.get("size").asLong()).isEqualTo(512 * 1024);
        assertThat(listed.get("used").asLong()).isEqualTo("persisted\n".length());
        assertThat(listed.get("usedBy")).hasSize(1);
        assertThat(member.delete("/api/v1/teams/" + team + "/volumes/data").status()).isEqualTo(409);
        assertThat(create(member, "ghost", ",\"volumes\":[{\"name\":\"nope\",\"path\":\"/x\"}]").status()).isEqualTo(404);
        assertThat(viewer.get("/api/v1/teams/" + team + "/quota").json().get("usage").get("storage").asLong()).isEqualTo(512 * 1024);
        assertThat(member.delete("/api/v1/teams/" + team + "/containers/reader?force=true").status()).isEqualTo(204);
        assertThat(admin.delete("/api/v1/teams/" + team).status()).as("a team with volumes stays").isEqualTo(409);
        assertThat(member.delete("/api/v1/teams/" + team + "/volumes/data").status()).isEqualTo(204);
        assertThat(viewer.get("/api/v1/teams/" + team + "/volumes").json()).isEmpty();
    }

    @Test
    void aContainerWritingPastItsTeamsStorageQuotaIsStoppedWithTheReasonShown() throws Exception {
        assertThat(admin.put("/api/v1/teams/" + team + "/quota", "{\"storage\":\"5Mi\"}").status()).isEqualTo(200);
        Response created = create(member, "filler", ",\"command\":[\"/bin/sh\",\"-c\",\"dd if=/dev/zero of=/blob bs=1M count=30; sleep 300\"],"
                + "\"restartPolicy\":\"always\"");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);

        JsonNode stopped = await("filler", "exited");
        assertThat(stopped.get("reason").asString()).startsWith("stopped: team storage quota exceeded (used ").endsWith(" of 5Mi)");
        assertThat(stopped.get("exitCode").asInt()).isEqualTo(137);
        assertThat(stopped.get("desiredState").asString()).isEqualTo("stopped");
        Awaitility.await().alias("its restart policy does not bring it back").during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> member.get("/api/v1/teams/" + team + "/containers/filler").json().get("state").asString().equals("exited"));
        JsonNode later = member.get("/api/v1/teams/" + team + "/containers/filler").json();
        assertThat(later.get("state").asString()).isEqualTo("exited");
        assertThat(later.get("restartCount").asInt()).isZero();
        Response start = member.post("/api/v1/teams/" + team + "/containers/filler/start", "");
        assertThat(start.status()).as(start.toString()).isEqualTo(403);
        assertThat(start.json().get("resource").asString()).isEqualTo("storage");
        JsonNode event = null;
        for (JsonNode e : admin.get("/api/v1/audit?team=" + team).json()) {
            if (e.get("action").asString().equals("STOP storage quota")) {
                event = e;
            }
        }
        assertThat(event).as("the stop is in the audit log").isNotNull();
        assertThat(event.get("actor").asString()).isEqualTo("wharf");
        assertThat(event.get("target").asString()).endsWith("/containers/filler");
        assertThat(event.get("detail").asString()).isEqualTo(stopped.get("reason").asString());

        assertThat(member.delete("/api/v1/teams/" + team + "/containers/filler").status()).isEqualTo(204);
        assertThat(viewer.get("/api/v1/teams/" + team + "/quota").json().get("usage").get("storage").asLong()).isZero();
    }

    @Test
    void aVolumeHoldsNoMoreThanItsSizeAndGoesWithoutATrace() throws Exception {
        assertThat(admin.put("/api/v1/teams/" + team + "/quota", "{\"storage\":\"5Mi\"}").status()).isEqualTo(200);
        Response tiny = member.post("/api/v1/teams/" + team + "/volumes", "{\"name\":\"tiny\",\"size\":\"128Ki\"}");
        assertThat(tiny.status()).as(tiny.toString()).isEqualTo(400);
        assertThat(tiny.body()).contains("256Ki");
        Response volume = member.post("/api/v1/teams/" + team + "/volumes", "{\"name\":\"data\",\"size\":\"1Mi\"}");
        assertThat(volume.status()).as(volume.toString()).isEqualTo(201);
        Response writer = create(member, "writer", ",\"command\":[\"/bin/sh\",\"-c\",\"dd if=/dev/zero of=/data/f bs=1M count=20 2>&1;"
                + " s=$?; dd if=/dev/zero of=/data/g bs=4k count=5120 2>&1; exit $s\"],\"volumes\":[{\"name\":\"data\",\"path\":\"/data\"}]");
        assertThat(writer.status()).as(writer.toString()).isEqualTo(201);
        assertThat(await("writer", "exited").get("exitCode").asInt()).as("dd fails").isEqualTo(1);
        assertThat(member.get("/api/v1/teams/" + team + "/containers/writer/logs").body()).contains("No space left on device");

        long teamId = jdbc.queryForObject("select id from teams where name = ?", Long.class, team);
        Path dir = env.work.resolve("data/volumes/team-" + teamId + "/data");
        Path image = dir.resolveSibling("data.img");
        Process stat = new ProcessBuilder("stat", "-c", "%b", image.toString()).start();
        long onDisk = Long.parseLong(new String(stat.getInputStream().readAllBytes()).strip()) * 512;
        assertThat(stat.waitFor()).isZero();
        assertThat(onDisk).as("the volume's bytes on the host's disk").isGreaterThan(512 * 1024).isLessThanOrEqualTo(1L << 20);
        JsonNode listed = viewer.get("/api/v1/teams/" + team + "/volumes/data").json();
        assertThat(listed.get("used").asLong()).isLessThanOrEqualTo(1L << 20);
        assertThat(listed.get("overSize").asBoolean()).isFalse();

        assertThat(member.delete("/api/v1/teams/" + team + "/containers/writer").status()).isEqualTo(204);
        assertThat(member.delete("/api/v1/teams/" + team + "/volumes/data").status()).isEqualTo(204);
        assertThat(image).doesNotExist();
        assertThat(dir).doesNotExist();
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(dir.toString());
        String loops = Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            Process losetup = new ProcessBuilder("losetup", "-a").redirectErrorStream(true).start();
            String attached = new String(losetup.getInputStream().readAllBytes());
            losetup.waitFor();
            return attached;
        }, attached -> !attached.contains(image.toString()));
        assertThat(loops).as("no loop device holds the image").doesNotContain(image.toString());
    }

    @Test
    void aCreateAbandonedByADeadServerIsRemovedAndItsQuotaGivenBack() throws Exception {
        // what a replica that died between admission and the node's create leaves: a row with a node, no image, nothing on the node
        Long teamId = jdbc.queryForObject("select id from teams where name = ?", Long.class, team);
        java.time.OffsetDateTime longAgo = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).minusMinutes(31);
        jdbc.update("insert into containers (id, team_id, name, image, spec, restart_policy, desired_state, state, oom_killed,"
                + " restart_count, created_by, created_at, node) values ('0123456789abcdef', ?, 'ghost', 'busybox:1', '{}', 'no',"
                + " 'running', 'created', false, 0, 'admin', ?, 'local')", teamId, longAgo);
        jdbc.update("insert into containers (id, team_id, name, image, spec, restart_policy, desired_state, state, oom_killed,"
                + " restart_count, created_by, created_at, node) values ('0123456789abcdee', ?, 'young', 'busybox:1', '{}', 'no',"
                + " 'running', 'created', false, 0, 'admin', ?, 'local')", teamId, java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC));
        // the ghost counts against the quota until the reconciler removes it, which may already have happened here: only the
        // end state is certain
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> member.get("/api/v1/teams/" + team + "/containers/ghost").status() != 200);
        assertThat(member.get("/api/v1/teams/" + team + "/containers/ghost").status()).as("the abandoned create is gone").isEqualTo(404);
        JsonNode young = member.get("/api/v1/teams/" + team + "/containers/young").json();
        assertThat(young.get("state").asString()).as("a create still in progress is left alone").isEqualTo("created");
        assertThat(viewer.get("/api/v1/teams/" + team + "/quota").json().get("usage").get("containers").asLong()).isEqualTo(1);
        jdbc.update("delete from containers where id = '0123456789abcdee'");
    }

    @Test
    void badRequestsChangeNothing() {
        assertThat(create(member, "Bad_Name", "").status()).isEqualTo(400);
        Response policy = create(member, "x1", ",\"restartPolicy\":\"sometimes\"");
        assertThat(policy.status()).isEqualTo(400);
        assertThat(policy.json().get("detail").asString()).contains("restartPolicy");
        Response memory = create(member, "x2", ",\"resources\":{\"memory\":\"lots\"}");
        assertThat(memory.status()).isEqualTo(400);
        assertThat(memory.json().get("errors").get(0).get("field").asString()).isEqualTo("resources.memory");
        Response missing = member.post("/api/v1/teams/" + team + "/containers",
                "{\"name\":\"x3\",\"image\":\"" + env.registry.host() + "/library/nothing:1\"}");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("detail").asString()).contains("library/nothing:1");
        Response nullEnv = create(member, "x6", ",\"env\":{\"A\":null}");
        assertThat(nullEnv.status()).isEqualTo(400);
        assertThat(nullEnv.json().get("errors").get(0).get("field").asString()).isEqualTo("env");
        Response noRoom = create(member, "x5", ",\"resources\":{\"memory\":\"64Ti\"}");
        assertThat(noRoom.status()).isEqualTo(503);
        assertThat(noRoom.json().get("detail").asString()).startsWith("no node has room for this container: node local has");
        Response noProject = create(member, "x4", ",\"project\":\"nope\"");
        assertThat(noProject.status()).isEqualTo(404);
        assertThat(viewer.get("/api/v1/teams/" + team + "/containers").json()).isEmpty();
        assertThat(viewer.get("/api/v1/teams/" + team + "/quota").json().get("usage").get("containers").asLong()).isZero();
    }

    @Test
    void theListShowsEachContainerAsItsOwnAnswerDoesAndFollowsItsChanges() throws Exception {
        assertThat(member.post("/api/v1/teams/" + team + "/projects", "{\"name\":\"shop\"}").status()).isEqualTo(201);
        assertThat(create(member, "a-web", ",\"project\":\"shop\",\"command\":[\"/bin/sleep\",\"300\"]").status()).isEqualTo(201);
        // the answer may reach the client before its audit event is written; a reader of the log still finds it
        assertThat(admin.get("/api/v1/audit?team=" + team + "&limit=5").body()).contains("/api/v1/teams/" + team + "/containers/a-web");
        assertThat(create(member, "b-job", ",\"start\":false,\"command\":[\"/bin/true\"],\"env\":{\"A\":\"1\"}").status())
                .isEqualTo(201);
        for (int round = 0; round < 3; round++) { // later lists are written from cached entries, or the last answer again
            Response list = viewer.get("/api/v1/teams/" + team + "/containers");
            assertThat(list.status()).isEqualTo(200);
            assertThat(list.contentType()).startsWith("application/json");
            assertThat(ApiFlowTests.stream(list.json()).map(c -> c.get("name").asString()).toList()).containsExactly("a-web", "b-job");
            awaitListedAsAlone("a-web");
            awaitListedAsAlone("b-job");
        }
        assertThat(listed("a-web").get("project").asString()).isEqualTo("shop");
        assertThat(listed("a-web").get("state").asString()).isEqualTo("running");
        // the project's list is its own answer, not the team's
        assertThat(ApiFlowTests.stream(viewer.get("/api/v1/teams/" + team + "/containers?project=shop").json())
                .map(c -> c.get("name").asString()).toList()).containsExactly("a-web");
        assertThat(viewer.get("/api/v1/teams/" + team + "/containers").json()).hasSize(2);
        // another team's list of the same project name is that team's own
        String other = "lst" + java.util.UUID.randomUUID().toString().substring(0, 6);
        assertThat(admin.post("/api/v1/teams", "{\"name\":\"" + other + "\"}").status()).isEqualTo(201);
        assertThat(admin.post("/api/v1/teams/" + other + "/projects", "{\"name\":\"shop\"}").status()).isEqualTo(201);
        assertThat(admin.get("/api/v1/teams/" + other + "/containers?project=shop").json()).isEmpty();
        assertThat(admin.delete("/api/v1/teams/" + other).status()).isEqualTo(204);
        // lists are big: the server hands them to the socket in 64 KiB writes (Tomcat's default is 8 KiB)
        var server = (org.springframework.boot.tomcat.TomcatWebServer) ((org.springframework.boot.web.server.context.WebServerApplicationContext)
                context).getWebServer();
        assertThat(server.getTomcat().getConnector().getProperty("socket.appWriteBufSize")).hasToString(Integer.toString(64 * 1024));

        // a change of the row shows in the next list
        assertThat(member.post("/api/v1/teams/" + team + "/containers/a-web/stop?timeout=1", null).status()).isEqualTo(200);
        assertThat(listed("a-web").get("state").asString()).isEqualTo("exited");
        assertThat(listed("a-web").get("exitCode").asInt()).isEqualTo(137);
        awaitListedAsAlone("a-web");
        assertThat(member.post("/api/v1/teams/" + team + "/containers/a-web/start", null).status()).isEqualTo(200);
        assertThat(listed("a-web").get("state").asString()).isEqualTo("running");
        awaitListedAsAlone("a-web");
        assertThat(member.delete("/api/v1/teams/" + team + "/containers/b-job").status()).isEqualTo(204);
        assertThat(ApiFlowTests.stream(viewer.get("/api/v1/teams/" + team + "/containers").json()).map(c -> c.get("name").asString())
                .toList()).containsExactly("a-web");
        deleteAll();
    }

    private JsonNode listedAs(Http as, String name) {
        return ApiFlowTests.find(as.get("/api/v1/teams/" + team + "/containers").json(), c -> c.get("name").asString().equals(name));
    }

    private JsonNode listed(String name) {
        return ApiFlowTests.find(viewer.get("/api/v1/teams/" + team + "/containers").json(), c -> c.get("name").asString().equals(name));
    }

    /** The list's entry equals the container's own answer (retried briefly: the reconciler may write an exit in between). */
    private void awaitListedAsAlone(String name) {
        Awaitility.await().atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(listed(name)).isEqualTo(viewer.get("/api/v1/teams/" + team + "/containers/" + name).json()));
    }

    @Test
    void projectsGroupContainersAndRefuseDeletionWhileInUse() throws Exception {
        assertThat(member.post("/api/v1/teams/" + team + "/projects", "{\"name\":\"shop\"}").status()).isEqualTo(201);
        assertThat(viewer.post("/api/v1/teams/" + team + "/projects", "{\"name\":\"other\"}").status()).isEqualTo(403);
        create(member, "api", ",\"project\":\"shop\",\"start\":false,\"command\":[\"/bin/true\"]");
        create(member, "loose", ",\"start\":false,\"command\":[\"/bin/true\"]");
        assertThat(viewer.get("/api/v1/teams/" + team + "/containers?project=shop").json()).hasSize(1);
        assertThat(viewer.get("/api/v1/teams/" + team + "/containers/api").json().get("project").asString()).isEqualTo("shop");
        assertThat(member.delete("/api/v1/teams/" + team + "/projects/shop").status()).isEqualTo(409);
        assertThat(member.delete("/api/v1/teams/" + team + "/projects/shop?force=true").status()).isEqualTo(204);
        assertThat(viewer.get("/api/v1/teams/" + team + "/containers").json()).hasSize(1);
        assertThat(admin.delete("/api/v1/teams/" + team).status()).isEqualTo(409);
        deleteAll();
        assertThat(admin.delete("/api/v1/teams/" + team).status()).isEqualTo(204);
    }
}
