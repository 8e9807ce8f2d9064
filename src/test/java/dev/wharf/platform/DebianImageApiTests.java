package dev.wharf.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.runtime.api.RuntimeService;
import dev.wharf.testing.DebianNginxImage;
import dev.wharf.testing.Http;
import dev.wharf.testing.Http.Response;
import dev.wharf.testing.Loopback;
import dev.wharf.testing.TestNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
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
 * A real distribution image runs as it is: Debian bookworm with Debian's nginx ({@link DebianNginxImage},
 * built from the host's package mirror and cached between runs), pushed to a registry on loopback,
 * pulled and run through the REST API with nothing in the request but a name, the image and a
 * published port. Its config alone says who runs it ({@code www-data}, by name), what runs, where it
 * listens and how it stops.
 */
@Tag("root")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@DirtiesContext
class DebianImageApiTests {

    static final String PASSWORD = "tidal-ember-4821";
    static final int WWW_DATA = 33;
    static TestNode env;
    static String image;
    static RuntimeService node;

    @LocalServerPort
    int port;

    @Autowired
    RuntimeService runtime;

    Http admin;
    String team;

    @BeforeAll
    static void pushImage() throws Exception {
        Path layout = DebianNginxImage.layout();
        env = TestNode.start("wharf-debian-api-");
        env.registry.push("oci:" + layout + ":" + DebianNginxImage.TAG, "debian/nginx:bookworm");
        image = env.registry.host() + "/debian/nginx:bookworm";
    }

    @DynamicPropertySource
    static void runtime(DynamicPropertyRegistry properties) {
        env.register(properties);
    }

    @AfterEach
    void deleteContainers() {
        if (team == null) {
            return;
        }
        for (JsonNode c : admin.get("/api/v1/teams/" + team + "/containers").json()) {
            assertThat(admin.delete("/api/v1/teams/" + team + "/containers/" + c.get("name").asString() + "?force=true").status())
                    .isEqualTo(204);
        }
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (env != null) {
            env.close(node);
        }
    }

    @Test
    void debiansNginxServesItsPageAsWwwDataAndStopsGracefullyOnItsStopSignal() throws Exception {
        node = runtime;
        admin = Http.to(port).basic("admin", ApiFlowTests.ADMIN_PASSWORD);
        team = "deb-" + UUID.randomUUID().toString().substring(0, 6);
        assertThat(admin.post("/api/v1/teams", "{\"name\":\"" + team + "\"}").status()).isEqualTo(201);
        admin.post("/api/v1/users", "{\"name\":\"" + team + "-member\",\"password\":\"" + PASSWORD + "\"}");
        admin.put("/api/v1/teams/" + team + "/members/" + team + "-member", "{\"role\":\"member\"}");
        Http member = Http.to(port).basic(team + "-member", PASSWORD);
        int hostPort = Loopback.freePort(20000, 60000);
        String logs = "/api/v1/teams/" + team + "/containers/web/logs";

        Response created = member.post("/api/v1/teams/" + team + "/containers", "{\"name\":\"web\",\"image\":\"" + image
                + "\",\"ports\":[{\"containerPort\":" + DebianNginxImage.PORT + ",\"hostPort\":" + hostPort
                + ",\"hostIp\":\"127.0.0.1\"}]}");

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("state").asString()).as(() -> "state; logs: " + member.get(logs).body()).isEqualTo("running");
        HttpResponse<String> page;
        try {
            page = page(hostPort);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("nginx did not answer on 127.0.0.1:" + hostPort + "; its logs: " + member.get(logs).body()
                    + "; the container: " + member.get("/api/v1/teams/" + team + "/containers/web").body(), e);
        }
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).isEqualTo(DebianNginxImage.PAGE);
        assertThat(page.headers().firstValue("Server").orElse("")).startsWith("nginx/");

        // the master and its worker run as the image's www-data (uid and gid 33 in its /etc/passwd) as the team maps it
        int pid = runtime.inspect(created.json().get("id").asString()).pid();
        long hostBase = Long.parseLong(Files.readString(Path.of("/proc", String.valueOf(pid), "uid_map")).strip().split("\\s+")[1]);
        assertThat(hostBase).as("the team's first host uid").isGreaterThanOrEqualTo(65536);
        assertThat(Files.readString(Path.of("/proc", String.valueOf(pid), "cmdline"))).startsWith("nginx: master process");
        List<Integer> processes = new ArrayList<>(List.of(pid));
        processes.addAll(children(pid));
        assertThat(processes).as("master and worker").hasSize(2);
        for (int process : processes) {
            assertThat(ids(process, "Uid:")).as("real, effective, saved and fs uid of " + process)
                    .containsOnly(hostBase + WWW_DATA);
            assertThat(ids(process, "Gid:")).as("gids of " + process).containsOnly(hostBase + WWW_DATA);
            assertThat(ids(process, "Groups:")).as("supplementary groups of " + process)
                    .allSatisfy(gid -> assertThat(gid).isBetween(hostBase, hostBase + 65535));
        }

        // error log on stderr, access log on stdout, both in the container's log; nothing nginx could not open
        String output = Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> member.get(logs).body(), l -> l.contains("\"GET / HTTP/1.1\" 200"));
        assertThat(output).contains("start worker process").doesNotContain("[emerg]").doesNotContain("[alert]").doesNotContain("[crit]");

        long begin = System.nanoTime();
        Response stopped = member.post("/api/v1/teams/" + team + "/containers/web/stop?timeout=20", null);
        Duration took = Duration.ofNanos(System.nanoTime() - begin);

        assertThat(stopped.status()).as(stopped.toString()).isEqualTo(200);
        assertThat(stopped.json().get("state").asString()).isEqualTo("exited");
        assertThat(stopped.json().get("exitCode").asInt()).as("nginx's own exit, not a KILL").isZero();
        assertThat(took).as("stopped by its signal, well within the timeout").isLessThan(Duration.ofSeconds(10));
        assertThat(member.get(logs).body())
                .as("nginx's graceful shutdown (SIGQUIT), not its fast one (SIGTERM)").contains("signal 3 (SIGQUIT) received")
                .contains("gracefully shutting down").doesNotContain("SIGTERM");
        assertThat(Files.exists(Path.of("/proc", String.valueOf(pid)))).as("master process gone").isFalse();
    }

    /** GET / on 127.0.0.1:{@code port}, retrying for a few seconds while nginx starts. */
    private static HttpResponse<String> page(int port) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).timeout(Duration.ofSeconds(5)).build();
        return Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> client.send(request, HttpResponse.BodyHandlers.ofString()), r -> r.statusCode() == 200);
    }

    private static List<Integer> children(int pid) throws IOException {
        String text = Files.readString(Path.of("/proc", String.valueOf(pid), "task", String.valueOf(pid), "children")).strip();
        return text.isEmpty() ? List.of() : List.of(text.split("\\s+")).stream().map(Integer::parseInt).toList();
    }

    /** The ids of a {@code Uid:}, {@code Gid:} or {@code Groups:} line of {@code /proc/<pid>/status}, as the host sees them. */
    private static List<Long> ids(int pid, String line) throws IOException {
        for (String status : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (status.startsWith(line)) {
                String ids = status.substring(line.length()).strip();
                return ids.isEmpty() ? List.of() : List.of(ids.split("\\s+")).stream().map(Long::parseLong).toList();
            }
        }
        throw new AssertionError("no " + line + " line for " + pid);
    }
}
