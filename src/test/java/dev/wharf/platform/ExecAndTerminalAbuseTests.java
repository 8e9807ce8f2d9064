package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wharf.testing.BusyboxLayout;
import dev.wharf.testing.Http;
import dev.wharf.testing.Http.Response;
import dev.wharf.testing.TestNode;
import dev.wharf.testing.Terminal;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
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
 * A hostile member against the server's own resources, over the real API with real runc
 * containers: an exec that floods its output, more execs, terminals and followed logs than allowed
 * at once, and a terminal WebSocket opened from another site. The server runs in this JVM, so its
 * heap and its open file descriptors are this process's.
 */
@Tag("root")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "wharf.limits.concurrent-per-user=2", "wharf.limits.concurrent-per-team=3"})
@ActiveProfiles("test")
@DirtiesContext
class ExecAndTerminalAbuseTests {

    static final String PASSWORD = "tidal-ember-4821";
    static final long MiB = 1 << 20;
    static TestNode env;
    static String image;
    static dev.wharf.runtime.api.RuntimeService node;

    @LocalServerPort
    int port;

    @org.springframework.beans.factory.annotation.Autowired
    dev.wharf.runtime.api.RuntimeService runtime;

    Http admin;
    String team;
    Http member;
    Http other;
    final List<String> teams = new ArrayList<>();

    @BeforeAll
    static void registry() throws Exception {
        env = TestNode.start("wharf-abuse-");
        image = env.push(BusyboxLayout.AMD64, "library/busybox:1");
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
        admin = Http.to(port).basic("admin", ApiFlowTests.ADMIN_PASSWORD);
        team = newTeam();
        member = user(team, "member");
        other = user(team, "other");
    }

    private String newTeam() {
        String name = "ab-" + UUID.randomUUID().toString().substring(0, 6);
        assertThat(admin.post("/api/v1/teams", "{\"name\":\"" + name + "\"}").status()).isEqualTo(201);
        teams.add(name);
        return name;
    }

    private Http user(String team, String suffix) {
        String name = team + "-" + suffix;
        assertThat(admin.post("/api/v1/users", "{\"name\":\"" + name + "\",\"password\":\"" + PASSWORD + "\"}").status()).isEqualTo(201);
        assertThat(admin.put("/api/v1/teams/" + team + "/members/" + name, "{\"role\":\"member\"}").status()).isEqualTo(200);
        return Http.to(port).basic(name, PASSWORD);
    }

    @AfterEach
    void deleteAll() {
        for (String t : teams) {
            for (JsonNode c : admin.get("/api/v1/teams/" + t + "/containers").json()) {
                assertThat(admin.delete("/api/v1/teams/" + t + "/containers/" + c.get("name").asString() + "?force=true").status())
                        .isEqualTo(204);
            }
        }
    }

    private JsonNode sleeper(Http as, String team, String name) {
        Response created = as.post("/api/v1/teams/" + team + "/containers", "{\"name\":\"" + name + "\",\"image\":\"" + image
                + "\",\"command\":[\"/bin/sh\",\"-c\",\"sleep 300\"]}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json();
    }

    private static String exec(String... command) {
        StringBuilder body = new StringBuilder("{\"command\":[");
        for (int i = 0; i < command.length; i++) {
            body.append(i == 0 ? "" : ",").append('"').append(command[i]).append('"');
        }
        return body.append("],\"timeoutSeconds\":60}").toString();
    }

    // --- item 6: unbounded exec output

    @Test
    void anExecThatPrints200MegabytesAnswersWithOneMebibyteAndTheServerHeapStaysFlat() throws Exception {
        sleeper(member, team, "flood");
        String path = "/api/v1/teams/" + team + "/containers/flood/exec";
        assertThat(member.post(path, exec("true")).status()).isEqualTo(200); // warm the path up before measuring

        long heapBefore = heapAfterGc();
        Map<String, Long> usedBefore = resetPeaks();
        long started = System.nanoTime();
        Response flood = member.post(path, exec("busybox", "head", "-c", "200000000", "/dev/zero"));
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        long peakRise = peakRise(usedBefore);
        assertThat(flood.status()).as(flood.toString()).isEqualTo(200);
        JsonNode result = flood.json();
        assertThat(result.get("truncated").asBoolean()).isTrue();
        assertThat(result.get("timedOut").asBoolean()).isFalse();
        assertThat(result.get("exitCode").asInt()).as("killed once past the limit").isEqualTo(137);
        assertThat(result.get("stdout").asString()).hasSize((int) MiB).matches("\u0000+");
        result = null;
        flood = null;
        long heapAfter = heapAfterGc();

        assertThat(peakRise).as("heap peak beyond the young generation while the exec ran (MiB)").isLessThan(64 * MiB);
        assertThat(heapAfter - heapBefore).as("heap after GC, before %d MiB, after %d MiB", heapBefore / MiB, heapAfter / MiB)
                .isLessThan(32 * MiB);
        assertThat(took).as("the flood is cut short, not read to its end").isLessThan(Duration.ofSeconds(20));

        Response small = member.post(path, exec("/bin/sh", "-c", "echo fine"));
        assertThat(small.json().get("stdout").asString()).isEqualTo("fine\n");
        assertThat(small.json().get("truncated").asBoolean()).isFalse();
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Heap pools other than eden (survivors, old gen: where big buffers land), with their use now; peaks start from here. */
    private static Map<String, Long> resetPeaks() {
        Map<String, Long> used = new HashMap<>();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && !pool.getName().contains("Eden")) {
                pool.resetPeakUsage();
                used.put(pool.getName(), pool.getUsage().getUsed());
            }
        }
        return used;
    }

    private static long peakRise(Map<String, Long> usedBefore) {
        long rise = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            Long before = usedBefore.get(pool.getName());
            if (before != null) {
                rise += Math.max(0, pool.getPeakUsage().getUsed() - before);
            }
        }
        return rise;
    }

    // --- item 6: concurrent execs, terminals and followed logs

    @Test
    void pastTheLimitsExecsTerminalsAndFollowersGet429AndSlotsComeBackWhenExecsEnd() throws Exception {
        sleeper(member, team, "busy");
        String base = "/api/v1/teams/" + team + "/containers/busy";
        List<CompletableFuture<Response>> running = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            running.add(CompletableFuture.supplyAsync(() -> member.post(base + "/exec", exec("sleep", "6"))));
        }
        awaitPids(base, 3); // the container's sleep and both execs

        Response third = member.post(base + "/exec", exec("true"));
        assertThat(third.status()).as(third.toString()).isEqualTo(429);
        assertThat(third.contentType()).startsWith("application/problem+json");
        assertThat(third.json().get("type").asString()).isEqualTo("/problems/too-many-requests");
        assertThat(third.json().get("scope").asString()).isEqualTo("user");
        assertThat(third.json().get("limit").asInt()).isEqualTo(2);
        assertThat(third.json().get("detail").asString()).contains("wharf.limits.concurrent-per-user");
        Response follow = member.get(base + "/logs?follow=true");
        assertThat(follow.status()).as(follow.toString()).isEqualTo(429);
        assertThat(upgrade(team, "busy", team + "-member", null).status()).isEqualTo(429);

        // a teammate takes the team's last session; then the team is full for everyone in it
        running.add(CompletableFuture.supplyAsync(() -> other.post(base + "/exec", exec("sleep", "6"))));
        awaitPids(base, 4);
        Response teamFull = other.post(base + "/exec", exec("true"));
        assertThat(teamFull.status()).as(teamFull.toString()).isEqualTo(429);
        assertThat(teamFull.json().get("scope").asString()).isEqualTo("team");
        assertThat(teamFull.json().get("limit").asInt()).isEqualTo(3);

        // another team is not held up by this one being full
        String otherTeam = newTeam();
        Http stranger = user(otherTeam, "member");
        sleeper(stranger, otherTeam, "free");
        Response elsewhere = stranger.post("/api/v1/teams/" + otherTeam + "/containers/free/exec", exec("echo", "free"));
        assertThat(elsewhere.status()).as(elsewhere.toString()).isEqualTo(200);
        assertThat(elsewhere.json().get("stdout").asString()).isEqualTo("free\n");

        for (CompletableFuture<Response> exec : running) {
            assertThat(exec.get(60, TimeUnit.SECONDS).status()).isEqualTo(200);
        }
        Response again = member.post(base + "/exec", exec("echo", "again"));
        assertThat(again.status()).as("slots come back when execs end: " + again).isEqualTo(200);
        try (Terminal terminal = Terminal.open(port, team, "busy", team + "-member", PASSWORD)) {
            terminal.type("echo term-$((6*7))");
            terminal.await("term-42");
        }
    }

    @Test
    void followedLogsHoldASessionUntilTheirClientLeaves() throws Exception {
        sleeper(member, team, "talk");
        String base = "/api/v1/teams/" + team + "/containers/talk";
        HttpClient client = HttpClient.newHttpClient();
        List<InputStream> followers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            HttpResponse<InputStream> stream = client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + base
                    + "/logs?follow=true")).header("Authorization", basic(team + "-member")).header("Accept", "text/event-stream").timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(stream.statusCode()).isEqualTo(200);
            followers.add(stream.body());
        }
        Response refused = member.post(base + "/exec", exec("true"));
        assertThat(refused.status()).as(refused.toString()).isEqualTo(429);

        followers.get(0).close(); // the client goes away without a word
        Response back = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> member.post(base + "/exec", exec("echo", "back")), answer -> answer.status() == 200);
        assertThat(back.status()).as("the follower's session comes back once its client left: " + back).isEqualTo(200);
        assertThat(member.post(base + "/exec", exec("true")).status()).as("the other follower still holds its session").isEqualTo(200);
        followers.get(1).close();
    }

    // --- item 7: the terminal WebSocket from another origin

    @Test
    void aCrossOriginTerminalUpgradeIsRefusedStartsNoShellLeaksNothingAndIsAuditedAsARefusal() throws Exception {
        JsonNode container = sleeper(member, team, "term");
        int pid = runtime.inspect(container.get("id").asString()).pid();
        Path procs = cgroupProcs(pid);
        assertThat(processes(procs)).containsExactly(pid);
        try (Terminal warmUp = Terminal.open(port, team, "term", team + "-member", PASSWORD)) {
            warmUp.type("exit");
            assertThat(warmUp.closedWith()).startsWith("1000");
        }
        awaitTrue(() -> processes(procs).equals(List.of(pid)), "the warm-up shell ends");
        Instant since = Instant.now();
        long fdsBefore = openFds();

        for (String origin : List.of("http://evil.example", "null", "http://localhost:" + (port + 1))) {
            Upgrade refused = upgrade(team, "term", team + "-member", origin);
            assertThat(refused.status()).as("origin " + origin + ": " + refused).isEqualTo(403);
            assertThat(refused.body()).contains("/problems/permission-denied").contains("origin");
        }
        await().alias("a shell started anyway would show by now").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .pollInterval(Duration.ofMillis(100)).until(() -> processes(procs).equals(List.of(pid)));
        assertThat(processes(procs)).as("no shell was started in the container").containsExactly(pid);
        awaitTrue(() -> openFds() <= fdsBefore, "the server's open file descriptors are back to " + fdsBefore);

        JsonNode events = admin.get("/api/v1/audit?since=" + since + "&limit=1000").json();
        List<JsonNode> terminalEvents = new ArrayList<>();
        events.forEach(e -> {
            if (e.get("action").asString().startsWith("TERMINAL") && e.get("target").asString().contains("/" + team + "/")) {
                terminalEvents.add(e);
            }
        });
        assertThat(terminalEvents).hasSize(3).allSatisfy(e -> {
            assertThat(e.get("outcome").asString()).isEqualTo("failure");
            assertThat(e.get("status").asInt()).isEqualTo(403);
            assertThat(e.get("detail").asString()).contains("origin");
        });

        // the dashboard's own origin still gets its shell
        Upgrade sameOrigin = upgrade(team, "term", team + "-member", "http://localhost:" + port);
        assertThat(sameOrigin.status()).as(sameOrigin.toString()).isEqualTo(101);
        awaitTrue(() -> processes(procs).equals(List.of(pid)), "the shell of a connection that closed at once ends");
        try (Terminal terminal = Terminal.open(port, team, "term", team + "-member", PASSWORD)) {
            terminal.type("echo ok-$((6*7))");
            terminal.await("ok-42");
        }
        awaitTrue(() -> processes(procs).equals(List.of(pid)), "closed terminals leave no shell behind");
        assertThat(admin.get("/api/v1/audit?since=" + since + "&limit=1000").body()).contains("\"outcome\":\"success\",\"status\":101");
    }

    @Test
    void aTerminalIsRefusedBeforeAnythingStartsToStrangersViewersAndTheUnauthenticated() throws Exception {
        JsonNode container = sleeper(member, team, "guarded");
        int pid = runtime.inspect(container.get("id").asString()).pid();
        Path procs = cgroupProcs(pid);
        String viewer = team + "-viewer";
        admin.post("/api/v1/users", "{\"name\":\"" + viewer + "\",\"password\":\"" + PASSWORD + "\"}");
        admin.put("/api/v1/teams/" + team + "/members/" + viewer, "{\"role\":\"viewer\"}");
        String otherTeam = newTeam();
        user(otherTeam, "member");

        assertThat(upgrade(team, "guarded", viewer, null).status()).isEqualTo(403);
        assertThat(upgrade(team, "guarded", otherTeam + "-member", null).status()).isEqualTo(404);
        assertThat(upgrade(team, "guarded", null, null).status()).isEqualTo(401);
        await().alias("no shell was started").during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .pollInterval(Duration.ofMillis(100)).until(() -> processes(procs).equals(List.of(pid)));
        assertThat(processes(procs)).containsExactly(pid);
    }

    // --- plumbing

    private static String basic(String user) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    }

    record Upgrade(int status, String head, String body) {
    }

    /** A WebSocket upgrade of the terminal as a browser sends it (with {@code origin} when not null); the connection is then closed. */
    private Upgrade upgrade(String team, String container, String user, String origin) throws Exception {
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(20_000);
            StringBuilder request = new StringBuilder("GET /api/v1/teams/" + team + "/containers/" + container
                    + "/terminal?cols=80&rows=24 HTTP/1.1\r\nHost: localhost:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
            if (user != null) {
                request.append("Authorization: ").append(basic(user)).append("\r\n");
            }
            if (origin != null) {
                request.append("Origin: ").append(origin).append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.write(b);
            }
            String headers = head.toString(StandardCharsets.ISO_8859_1);
            int status = Integer.parseInt(headers.split(" ", 3)[1]);
            String body = "";
            if (status != 101) {
                socket.setSoTimeout(1000);
                ByteArrayOutputStream rest = new ByteArrayOutputStream();
                try {
                    byte[] buffer = new byte[4096];
                    for (int n; (n = in.read(buffer)) > 0;) {
                        rest.write(buffer, 0, n);
                        String text = rest.toString(StandardCharsets.UTF_8);
                        if (text.endsWith("}") || text.endsWith("\r\n0\r\n\r\n")) {
                            break; // the whole problem (plain or chunked): the connection may stay open
                        }
                    }
                } catch (java.net.SocketTimeoutException e) {
                    // all there was
                }
                body = rest.toString(StandardCharsets.UTF_8);
            }
            return new Upgrade(status, headers, body);
        }
    }

    private void awaitPids(String containerPath, long pids) throws InterruptedException {
        awaitTrue(() -> admin.get(containerPath + "/stats").json().get("pids").asLong() == pids,
                "the container has " + pids + " processes");
    }

    private static void awaitTrue(BooleanSupplier condition, String what) {
        await().alias(what).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(condition::getAsBoolean);
    }

    /** The {@code cgroup.procs} of the pids cgroup the container's first process is in, as the host sees it. */
    private static Path cgroupProcs(int pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
            String[] parts = line.split(":", 3);
            if (List.of(parts[1].split(",")).contains("pids") || (parts[1].isEmpty() && parts[0].equals("0")
                    && Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")))) {
                Path root = parts[1].isEmpty() ? Path.of("/sys/fs/cgroup") : Path.of("/sys/fs/cgroup/pids");
                return root.resolve(parts[2].substring(1)).resolve("cgroup.procs");
            }
        }
        throw new AssertionError("no pids cgroup for " + pid);
    }

    private static List<Integer> processes(Path procs) {
        try {
            return Files.readAllLines(procs).stream().filter(l -> !l.isBlank()).map(Integer::parseInt).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long openFds() {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
